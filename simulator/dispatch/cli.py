"""``kallelse worker``: run the dispatch core's work (embedded on SQLite, procrastinate on
PostgreSQL). ``kallelse serve`` starts one of these itself."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import click


@click.command("worker")
@click.option(
    "--database-url", default=None, help="PostgreSQL URL for the scale-out mode (default: SQLite in --data-dir)."
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
def worker(database_url, data_dir, simulator_url, concurrency, log_level) -> None:
    """Work due bookings: lookups, decisions, deliveries, fallback and reminder timers."""
    from simulator import schema
    from simulator.config import Config
    from simulator.dispatch.worker import build_engine, install_stop_signals, run_embedded

    logging.basicConfig(
        level=log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if log_level != "debug":  # procrastinate logs every periodic tick at INFO
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    config = Config.from_env(database_url=database_url, data_dir=data_dir)
    engine = build_engine(config, simulator_url)
    schema.upgrade(engine.store.db)
    if engine.store.db.is_sqlite:
        stop = threading.Event()
        install_stop_signals(stop)
        run_embedded(engine, stop)
        return
    from simulator.dispatch.jobs import run_queue_worker

    run_queue_worker(engine, config.db_url, concurrency)
