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
import threading
import time
from pathlib import Path

from contracts.bundle import builtin_bundle
from dispatchcore.clock import HttpClock
from dispatchcore.engine import Engine, worker_name
from dispatchcore.storage import Database

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25


def build_engine(database_url: str, simulator_url: str) -> Engine:
    """The care system on its own: its database, the simulator's clock over HTTP, the
    contracts (KALLELSE_CONTRACTS names an official bundle to use instead of ours)."""
    official = os.environ.get("KALLELSE_CONTRACTS")
    contracts = builtin_bundle(Path(official) if official else None)
    return Engine(Database(database_url), HttpClock(simulator_url), contracts, simulator_url)


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


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    """Small helper for the CLI's ``--until-idle``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
