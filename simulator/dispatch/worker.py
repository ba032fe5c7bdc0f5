"""Running the engine's work. Two modes, chosen by the database:

- embedded (SQLite, the default): one ``kallelse worker`` process, spawned once by
  ``kallelse serve``, polls for bookings with due steps and works them in-process;
- scale-out (PostgreSQL): any number of ``kallelse worker`` processes on procrastinate
  (see jobs.py) — the queue hands each booking to one worker at a time.

Either way the durable truth is the steps table (simulator time), so a worker that dies
loses nothing: its booking's lease runs out and the work is picked up again."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from simulator.config import Config
from simulator.dispatch.engine import Engine, worker_name

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25


def build_engine(config: Config, simulator_url: str | None = None) -> Engine:
    from simulator.runtime import Runtime

    runtime = Runtime.build(config)
    return Engine(runtime.db, runtime.clock, runtime.contracts, simulator_url or config.base_url)


def run_embedded(engine: Engine, stop: threading.Event, poll: float = POLL_SECONDS) -> None:
    """Work every due booking, oldest first, until ``stop`` is set."""
    name = worker_name()
    log.info("dispatch worker %s: embedded mode on %s", name, engine.store.db)
    while not stop.is_set():
        try:
            due = engine.due()
            if due:
                engine.register_callbacks_now_and_then()
            for booking_id in due:
                if stop.is_set():
                    break
                engine.work(booking_id, name)
        except Exception:  # the database may be briefly locked or restarting: keep going
            log.exception("dispatch worker: work loop failed; retrying")
            due = []
        if not due:
            stop.wait(poll)


def install_stop_signals(stop: threading.Event) -> None:
    def handler(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def spawn_for_serve(config: Config) -> subprocess.Popen | None:
    """``kallelse serve`` starts the dispatch worker once (never inside the gunicorn
    workers). KALLELSE_DISPATCH_WORKERS=0 leaves it to separately started workers."""
    count = int(os.environ.get("KALLELSE_DISPATCH_WORKERS", "1"))
    if count <= 0:
        return None
    args = [
        sys.executable,
        "-m",
        "simulator.cli",
        "worker",
        "--simulator-url",
        config.base_url,
        "--log-level",
        config.log_level,
    ]
    if config.database_url:
        args += ["--database-url", config.database_url]
    else:
        args += ["--data-dir", str(config.data_dir)]
    process = subprocess.Popen(args)
    log.info("dispatch worker started (pid %s)", process.pid)
    return process


def stop_spawned(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    """Small helper for the CLI's ``--until-idle``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
