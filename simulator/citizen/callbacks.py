"""Telling the care system that the citizen pressed "Avboka" or "Boka om".

The real 1177 hands such requests to the region's booking service; here a care system
registers a callback URL for its ``sourceSystem`` (``POST /api/callbacks``) and every
citizen action is POSTed there as JSON.

A delivery is durable work, not a thread's memory: the action's row is written (pending)
before anything is tried, and a :class:`Sweeper` in each server process claims due rows
with a lease, tries each once, and writes the outcome and the next attempt's time back
(backoff, then ``failed`` after a bounded number of attempts). A few attempts run at
once, never two to the same URL, so a care system that never answers delays no other. The citizen's page never
waits: pressing the button only wakes the sweeper. A process that dies (SIGKILL, a
restarted gunicorn worker) loses nothing: its rows stay pending; the process that
replaces it looks for pending rows as it starts, and it (or any process whose sweeper is
running) takes them over when they are due and the dead one's lease has expired. The
sweeper's thread runs only while rows are pending, so an idle server (and each of the
many applications a test run builds) holds no thread.

HTTP gives no exactly-once: an attempt whose answer was lost, or that outlived its lease,
may be repeated. Delivery is at least once, with the same ``event_id`` every time, and the
care system de-duplicates on it (docs/citizen.md).

Retry times and leases are transport time, the process's real clock (injectable:
``now``), never the simulator clock, which a tester may freeze."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import logging
import os
import socket
import threading
import uuid
import weakref
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

import requests

from simulator.citizen.store import CallbackStatus, CitizenSideStore
from simulator.storage import Database

log = logging.getLogger(__name__)

# Seconds before attempt 2, 3, ...: quick at first (a care system restarting), then
# spaced out; twelve attempts over about 34 minutes, then the event is marked failed.
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0)
TIMEOUT = 5.0  # for the connect and for the answer's headers (the body is never read)
# How long a claimed row is ours: longer than any attempt (its timeouts), so a live
# attempt is never taken over; a dead process's row waits at most this long.
LEASE_SECONDS = 30.0
# Rows are claimed one at a time, so each lease starts when its attempt does (a batch
# behind a care system that never answers would outlive its lease and be sent twice).
BATCH = 1
# Attempts a process's sweeper makes at once, never two to the same URL: on a shared test
# bed one vendor's care system that never answers holds one of them for its timeout, and
# every other vendor's callbacks go out through the others.
CONCURRENCY = 4
# The longest a sweeper sleeps while rows are pending (it is woken for new ones): bounds
# the effect of another process's clock being a little off.
MAX_WAIT_SECONDS = 10.0
ERROR_WAIT_SECONDS = 5.0  # after a database error, before trying again


@dataclasses.dataclass(frozen=True)
class Policy:
    """How often and how long a delivery is tried."""

    delays: tuple[float, ...] = RETRY_DELAYS
    lease_seconds: float = LEASE_SECONDS
    timeout: float = TIMEOUT

    @property
    def attempts(self) -> int:
        return len(self.delays) + 1

    def delay_after(self, attempts_made: int) -> float | None:
        """Seconds until the next attempt after ``attempts_made`` failed ones; None: give up."""
        return self.delays[attempts_made - 1] if 1 <= attempts_made <= len(self.delays) else None


def check_url(url) -> str:
    """A callback URL must be absolute http(s); ValueError says why not."""
    if not isinstance(url, str) or len(url) > 2000:
        raise ValueError("must be an http or https URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http or https URL")
    return url


def event_json(action: dict) -> dict:
    """What the care system receives (documented in docs/citizen.md)."""
    return {
        "event_id": action["event_id"],
        "type": action["action"],
        "personnummer": action["personnummer"],
        "business_object_id": action["business_object_id"],
        "booking_id": action["booking_id"],
        "message_id": action["message_id"],
        "source_system": action["source_system"],
        # in UTC whatever the database session's zone (PostgreSQL answers in its own)
        "at": action["created_at"].astimezone(dt.UTC).isoformat(),
    }


def post_event(http: requests.Session, action: dict, timeout: float) -> str | None:
    """One attempt: None when the care system answered 2xx, else what went wrong."""
    try:
        # stream: the status line is the answer; a body trickling in must not hold the lease
        with http.post(
            action["callback_url"], json=event_json(action), timeout=timeout, allow_redirects=False, stream=True
        ) as reply:
            status = reply.status_code
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None if 200 <= status < 300 else f"HTTP {status}"


class Sweeper:
    """Delivers the pending callbacks of one database from one process.

    :meth:`run_once` claims what is due and tries each row once (tests call it directly,
    with their own ``now``); :meth:`wake` runs it on a daemon thread that sleeps until the
    next row is due and stops when nothing is pending (so an idle server, or a test's
    application, holds no thread)."""

    def __init__(
        self,
        store: CitizenSideStore,
        now: Callable[[], dt.datetime],
        policy: Policy | None = None,
        owner: str | None = None,
    ):
        self.store = store
        self.now = now
        self.policy = policy or Policy()
        # names the process in the lease (a tester sees who holds a row); each claim adds its own id
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._running = False
        self._http: requests.Session | None = None
        self._in_flight: dict[str, str] = {}  # event_id -> callback URL, attempts running now
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    # one pass ------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim what is due (BATCH rows) and try each once; how many were tried."""
        rows = self._claim()
        for row in rows:
            self.attempt(row)
        return len(rows)

    def _claim(self, busy: Collection[str] = ()) -> list[dict]:
        """Due rows (BATCH), none to a URL in ``busy``, leased from now under a claim of
        their own."""
        now = self.now()
        lease_until = now + dt.timedelta(seconds=self.policy.lease_seconds)
        claim = f"{self.owner}:{uuid.uuid4().hex[:12]}"
        return self.store.claim_callbacks(now, lease_until, claim, BATCH, busy)

    def attempt(self, row: dict) -> CallbackStatus:
        """Try one claimed row and record the outcome (and the next attempt's time)."""
        error = post_event(self.http, row, self.policy.timeout)
        attempts = row["callback_attempts"] + 1
        delay = None if error is None else self.policy.delay_after(attempts)
        if error is None:
            status, next_at = CallbackStatus.DELIVERED, None
        elif delay is None:
            status, next_at = CallbackStatus.FAILED, None
            log.warning(
                "callback %s to %s failed %d times, given up: %s", row["event_id"], row["callback_url"], attempts, error
            )
        else:
            status, next_at = CallbackStatus.PENDING, self.now() + dt.timedelta(seconds=delay)
            log.info("callback %s attempt %d to %s failed: %s", row["event_id"], attempts, row["callback_url"], error)
        if not self.store.finish_attempt(row["event_id"], row["callback_lease_owner"], status, error, next_at):
            # the lease expired and another process took the row over, or a reset removed it
            log.warning(
                "callback %s: row no longer ours after attempt %d; outcome not recorded", row["event_id"], attempts
            )
        return status

    def start_attempts(self) -> int:
        """Claim due rows one at a time while fewer than CONCURRENCY attempts run, none to
        a URL already waited on, and start each on the pool; how many were started. The
        attempt's end wakes the loop, which fills the freed place."""
        started = 0
        while True:
            with self._lock:
                if len(self._in_flight) >= CONCURRENCY:
                    return started
                busy = set(self._in_flight.values())
            rows = self._claim(busy)
            if not rows:
                return started
            for row in rows:
                with self._lock:
                    self._in_flight[row["event_id"]] = row["callback_url"]
                self.pool.submit(self._attempt_in_pool, row)
                started += 1

    def _attempt_in_pool(self, row: dict) -> None:
        try:
            self.attempt(row)
        except Exception:  # the row stays pending; its lease expires and it is tried again
            log.warning("callback %s: attempt failed in the sweeper", row["event_id"], exc_info=True)
        finally:
            with self._lock:
                self._in_flight.pop(row["event_id"], None)
            self._woken.set()

    @property
    def pool(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="callback")
        return self._pool

    @property
    def http(self) -> requests.Session:
        if self._http is None:
            self._http = requests.Session()
            self._http.trust_env = False  # straight to the registered URL, never through an environment proxy
        return self._http

    # the thread ---------------------------------------------------------------
    def wake(self) -> None:
        """Something may be due: run a pass now (starting the thread if it is not running)."""
        with self._lock:
            self._woken.set()
            self._stopping.clear()
            if not self._running:
                self._running = True
                threading.Thread(target=self._loop, daemon=True, name="callback-sweeper").start()

    def stop(self) -> None:
        """End the thread after its current pass (claimed rows are finished first)."""
        self._stopping.set()
        self._woken.set()

    @property
    def running(self) -> bool:
        return self._running

    def _loop(self) -> None:
        while True:
            self._woken.clear()
            wait = self._pass()
            with self._lock:
                idle = wait is None and not self._in_flight
                if self._stopping.is_set() or (idle and not self._woken.is_set()):
                    self._running = False
                    pool, self._pool = self._pool, None
                    break
            self._woken.wait(min(wait, MAX_WAIT_SECONDS) if wait is not None else MAX_WAIT_SECONDS)
        if pool is not None:  # an idle server holds no thread (attempts still running finish first)
            pool.shutdown(wait=False)

    def _pass(self) -> float | None:
        """Start what may start, then how long until the next row is due (None: nothing
        pending). An attempt ending wakes the loop before that."""
        try:
            started = self.start_attempts()
            wait = self.store.callback_wait(self.now())
        except Exception:  # a database hiccup must not end delivery for good
            log.warning("callback sweeper pass failed; trying again", exc_info=True)
            return ERROR_WAIT_SECONDS
        if wait == 0.0 and not started:
            with self._lock:
                waiting_on_ours = bool(self._in_flight)
            # due, but to a URL we are waiting on (our attempt's end wakes us), or taken by
            # someone else in between: never spin
            return MAX_WAIT_SECONDS if waiting_on_ours else 0.1
        return wait


# One sweeper per database per process, found by the store's database: the application
# holds its own (wiring.py), so it lives as long as the application or a running thread.
_SWEEPERS: weakref.WeakValueDictionary[Database, Sweeper] = weakref.WeakValueDictionary()
_SWEEPERS_LOCK = threading.Lock()


def start(store: CitizenSideStore, now: Callable[[], dt.datetime]) -> Sweeper:
    """At application start: this process's sweeper for the store's database (``now``:
    the runtime's real time), running at once if deliveries are pending (a killed
    process's, or an earlier server's)."""
    with _SWEEPERS_LOCK:
        sweeper = _SWEEPERS.get(store.db)
        if sweeper is None:
            sweeper = _SWEEPERS[store.db] = Sweeper(store, now)
    if store.callback_wait(now()) is not None:
        sweeper.wake()
    return sweeper


def deliver_in_background(store: CitizenSideStore, action: dict, url: str) -> None:
    """``action`` is stored, pending and due: its first attempt is made at once, off the
    request's thread, by this process's sweeper (``url`` is the row's callback_url).
    Without one (no application was built on this database) the row waits for the next
    server to start."""
    with _SWEEPERS_LOCK:
        sweeper = _SWEEPERS.get(store.db)
    if sweeper is None:
        log.warning("callback %s stays pending: no delivery sweeper in this process", action["event_id"])
        return
    sweeper.wake()
