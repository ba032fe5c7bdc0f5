"""``kallelse worker``: run the dispatch core's work (embedded on SQLite, procrastinate on
PostgreSQL); and what ``kallelse serve`` needs to start the dispatch core beside the
simulator (its web part, its one embedded worker). The simulator's CLI imports this
module and nothing else of the dispatch core."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import click

from dispatchcore import apitoken

# The web part the simulator mounts (API, trainer pages, conformance adapter): a module
# with ``install(host, web, endpoints)``, imported by name in each web worker.
SIMULATOR_PART = "dispatchcore.wiring"
# Shared mode: the control-API token this care system sends (dispatchcore.apitoken).
API_TOKEN_ENV = apitoken.ENV


def consumer_hsa_id() -> str:
    """This care system's consumer HSA-id (its settings): what its shared-mode token is bound to."""
    from dispatchcore.settings import load

    return load().consumer_hsa_id


def database_url(database_url: str | None, data_dir: Path | None) -> str:
    """The embedded default is the simulator's own SQLite file (own tables, own alembic chain)."""
    from dispatchcore.storage import sqlite_url

    url = database_url or os.environ.get("KALLELSE_DATABASE_URL")
    return url or sqlite_url(data_dir or Path(os.environ.get("KALLELSE_DATA_DIR", "data")))


@click.command("worker")
@click.option(
    "--database-url",
    "database_url_option",
    default=None,
    help="PostgreSQL URL for the scale-out mode (default: SQLite in --data-dir).",
)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option(
    "--simulator-url",
    default=None,
    help="Base URL of the platform the engine talks to [http://127.0.0.1:8080]; "
    "single endpoints can be set in the dispatch config.",
)
@click.option(
    "--concurrency",
    type=int,
    default=1,
    show_default=True,
    help="Jobs at a time in this process (PostgreSQL mode; start more processes to scale).",
)
@click.option("--log-level", default="info", type=click.Choice(["debug", "info", "warning", "error"]))
def worker(database_url_option, data_dir, simulator_url, concurrency, log_level) -> None:
    """Work due bookings: lookups, decisions, deliveries, fallback and reminder timers."""
    from dispatchcore import schema
    from dispatchcore.worker import build_engine, install_stop_signals, run_embedded

    logging.basicConfig(
        level=log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if log_level != "debug":  # procrastinate logs every periodic tick at INFO
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    url = database_url(database_url_option, data_dir)
    engine = build_engine(url, simulator_url or os.environ.get("KALLELSE_SIMULATOR_URL") or "http://127.0.0.1:8080")
    schema.upgrade(engine.store.db)
    if engine.store.db.is_sqlite:
        stop = threading.Event()
        install_stop_signals(stop)
        run_embedded(engine, stop)
        return
    from dispatchcore.jobs import run_queue_worker

    run_queue_worker(engine, url, concurrency)


def start_beside(config) -> subprocess.Popen | None:
    """What ``kallelse serve`` runs before its web workers start: the dispatch tables
    migrated (once, here, not racing in each web worker), then the embedded worker."""
    from dispatchcore import schema
    from dispatchcore.storage import Database

    db = Database(database_url(config.database_url, config.data_dir))
    schema.upgrade(db)
    db.dispose()
    return spawn_for_serve(config)


def spawn_for_serve(config) -> subprocess.Popen | None:
    """``kallelse serve`` starts the dispatch worker once (never inside the gunicorn
    workers), on the simulator's database and base URL. KALLELSE_DISPATCH_WORKERS=0 leaves
    it to separately started workers. ``config`` is the simulator's (duck-typed: only its
    base_url, log_level, database_url and data_dir are read)."""
    if int(os.environ.get("KALLELSE_DISPATCH_WORKERS", "1")) <= 0:
        return None
    args = [sys.executable, "-m", "simulator.cli", "worker", "--simulator-url", config.base_url]
    args += ["--log-level", config.log_level]
    if config.database_url:
        args += ["--database-url", config.database_url]
    else:
        args += ["--data-dir", str(config.data_dir)]
    process = subprocess.Popen(args)
    logging.getLogger(__name__).info("dispatch worker started (pid %s)", process.pid)
    return process
