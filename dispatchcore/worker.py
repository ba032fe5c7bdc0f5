"""Running the engine's work. Two modes, chosen by the database:

- embedded (SQLite, the default): one ``kallelse worker`` process, spawned once by
  ``kallelse serve``, polls for bookings with due steps and works them in-process;
- scale-out (PostgreSQL): any number of ``kallelse worker`` processes on procrastinate
  (see jobs.py) — the queue hands each booking to one worker at a time.

Either way the durable truth is the steps table (simulator time), so a worker that dies
loses nothing: its booking's lease runs out and the work is picked up again."""

from __future__ import annotations

import collections
import logging
import os
import signal
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from contracts.bundle import builtin_bundle
from dispatchcore import calls
from dispatchcore.clock import HttpClock
from dispatchcore.engine import Engine, worker_name
from dispatchcore.states import StepKind, StepState
from dispatchcore.storage import Database
from dispatchcore.store import bookings, steps
from rivta import RivtaError

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
IN_FLIGHT = 6  # bookings worked at once by the embedded worker (measured: docs/loadtests.md)
PU_BATCH = 500  # GetPersonsForProfile's maximum
PREFETCH_MIN = 8  # due first decisions before LK-01 is fetched ahead in one batch
# A clock reading is shared by the work units that start within this many seconds of it
# (about one unit's own duration): a moved clock applies from the units started after that,
# and the simulator answers one GET /api/clock per ~5-15 units of a campaign instead of one each.
CLOCK_SHARED = 0.05
# A paper letter that finds no other waits this long for the other threads' letters, so
# that they go to the print service in one POST (grouped.LetterPost).
LETTER_GATHER = 0.005


def build_engine(database_url: str, simulator_url: str) -> Engine:
    """The care system on its own: its database, the simulator's clock over HTTP, the
    contracts (KALLELSE_CONTRACTS names an official bundle to use instead of ours)."""
    official = os.environ.get("KALLELSE_CONTRACTS")
    contracts = builtin_bundle(Path(official) if official else None)
    return Engine(Database(database_url), HttpClock(simulator_url, ttl=CLOCK_SHARED), contracts, simulator_url)


def in_flight() -> int:
    """Bookings the embedded worker works at the same time (KALLELSE_DISPATCH_IN_FLIGHT)."""
    return max(1, int(os.environ.get("KALLELSE_DISPATCH_IN_FLIGHT", str(IN_FLIGHT))))


# The due steps whose work unit asks PU: a decision (LK-01), and a fallback, whose FB-01
# letter needs the citizen's address (fetched fresh, never stored).
PREFETCHED_KINDS = (StepKind.DECIDE, StepKind.FALLBACK)


def prefetch_people(engine: Engine, booking_ids: list[str]) -> int:
    """LK-01 ahead, in batches of up to 500 identities (GetPersonsForProfile's maximum),
    for the bookings among ``booking_ids`` whose first decision or fallback is due: a
    campaign system asks PU once for many people instead of once per person. The answers
    wait in ``engine.prefetched``, each used once by every due step it was fetched for (a
    person with three bookings due is asked once, not three times), within PREFETCH_TTL;
    a failed batch is simply not used and each step asks on its own, so LK-03 sees every
    failure as before. Fewer than PREFETCH_MIN due steps: nothing is fetched ahead."""
    now = engine.clock.now()
    query = (
        sa.select(bookings.c.booking_id, bookings.c.personnummer)
        .join(steps, steps.c.booking_id == bookings.c.booking_id)
        .where(
            bookings.c.booking_id.in_(booking_ids),
            steps.c.kind.in_(PREFETCHED_KINDS),
            steps.c.state == StepState.TODO,
            steps.c.due_at <= now,
        )
        .distinct()
    )
    with engine.store.db.connect() as conn:
        decisions = collections.Counter(pnr for _, pnr in conn.execute(query) if pnr not in engine.prefetched)
    if sum(decisions.values()) < PREFETCH_MIN:
        return 0
    pnrs = list(decisions)
    settings = engine.settings()
    client, endpoint = engine.client(settings), engine.endpoint(settings, "pu")
    fetched = 0
    for start in range(0, len(pnrs), PU_BATCH):
        try:
            answers = calls.look_up_people(client, endpoint, pnrs[start : start + PU_BATCH])
        except RivtaError as exc:
            log.info("batched PU lookup failed (%s): each decision asks on its own", exc.reason)
            return fetched
        real_now = engine.clock.real_now()
        engine.prefetched.update({pnr: (real_now, person, decisions[pnr]) for pnr, person in answers.items()})
        fetched += len(answers)
    return fetched


def run_embedded(
    engine: Engine, stop: threading.Event, poll: float = POLL_SECONDS, concurrency: int | None = None
) -> None:
    """Work every due booking, oldest first, until ``stop`` is set — ``concurrency``
    bookings at a time (threads: the work is mostly waiting on the simulator's answers).
    The booking lease keeps a booking to one thread, as it keeps it to one process.

    This loop finds the due bookings and queues them; ``concurrency`` long-lived threads
    take them from the queue. A thread that finds the queue empty wakes the loop, which
    asks for the next due bookings right away instead of at its next poll."""
    name = worker_name()
    concurrency = concurrency or in_flight()
    log.info("dispatch worker %s: embedded mode on %s, %d in flight", name, engine.store.db, concurrency)
    queue: collections.deque[str] = collections.deque()
    taken: set[str] = set()  # queued or being worked: not queued again
    lock = threading.Lock()
    ready = threading.Semaphore(0)  # one release per queued booking
    hungry = threading.Event()

    def take() -> None:
        while not stop.is_set():
            if not ready.acquire(timeout=poll):
                continue
            with lock:
                booking_id = queue.popleft()
            try:
                engine.work(booking_id, name)
            except Exception:
                log.exception("dispatch worker: booking %s failed", booking_id)
            finally:
                with lock:
                    taken.discard(booking_id)
                    empty = not queue
                if empty:
                    hungry.set()

    if concurrency > 1:
        engine.letter_post.gather = LETTER_GATHER
    threads = [threading.Thread(target=take, name=f"dispatch-{i}", daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        hungry.clear()
        try:
            with lock:
                refill = not queue
                busy = set(taken)
            due = [b for b in engine.due() if b not in busy] if refill else []
            if due:
                engine.register_callbacks_now_and_then()
                prefetch_people(engine, due)
                with lock:
                    queue.extend(due)
                    taken.update(due)
                ready.release(len(due))
        except Exception:  # the database may be briefly locked or restarting: keep going
            log.exception("dispatch worker: work loop failed; retrying")
        hungry.wait(poll)
    for thread in threads:
        thread.join()


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
