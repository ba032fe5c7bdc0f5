"""Where the care system's time comes from. The dispatch core runs on the *simulator's*
clock (a tester moves it by days to fire FB-01 and RM-01), and it is a separate system:
so the clock is an interface with two sources.

* ``HttpClock`` (the worker): reads ``GET /api/clock`` of the simulator at every reading
  (``ttl`` 0 by default; a positive ``ttl`` extrapolates with the reported speed between
  reads, which is cheaper but may act on a time the tester has just moved past).
* ``HostClock`` (embedded in the simulator's web process): the host hands its own clock's
  ``now`` in, so the API answers a booking without an HTTP call to itself (a sync worker
  waiting on its sibling would be a deadlock under load).

This module is the one place in the package that reads the wall clock (real time paces
the extrapolation and the worker leases)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Protocol

from dispatchcore.apitoken import authorize
from dispatchcore.localtime import UTC
from dispatchcore.transport import LeanSession


def real_now() -> dt.datetime:
    return dt.datetime.now(UTC)


class ClockSource(Protocol):
    def now(self) -> dt.datetime:
        """Simulated time, aware UTC."""

    def real_now(self) -> dt.datetime:
        """Real time (leases, caches), aware UTC."""

    def refresh(self) -> None:
        """A work unit starts: read the source again if it is remote."""


@dataclasses.dataclass(frozen=True)
class _Reading:
    sim: dt.datetime
    real: dt.datetime
    speed: float
    frozen: bool
    monotonic: float


class HttpClock:
    """The simulator's clock over HTTP (``GET {base}/api/clock``)."""

    def __init__(self, base_url: str, ttl: float = 0.0, session=None, timeout: float = 10):
        self.url = base_url.rstrip("/") + "/api/clock"
        # ttl 0: every now() asks the simulator. A cached reading (1 s) let the worker act on a
        # time the tester had already moved past: advance, then the adapter reports idle while
        # the worker still sees the old time (LK-03 retry, FB-01 after a restart). The worker
        # shares a reading for 50 ms (worker.CLOCK_SHARED), about one work unit's duration.
        self.ttl = ttl
        self.timeout = timeout
        self.session = authorize(session or LeanSession(), base_url)  # KALLELSE_API_TOKEN
        self._reading: _Reading | None = None
        self._lock = threading.Lock()
        self._asking = threading.Lock()

    def refresh(self) -> None:
        answer = self.session.get(self.url, timeout=self.timeout)
        answer.raise_for_status()
        body = answer.json()
        reading = _Reading(
            sim=dt.datetime.fromisoformat(body["now"]).astimezone(UTC),
            real=real_now(),
            speed=float(body.get("speed", 1.0)),
            frozen=bool(body.get("frozen", False)),
            monotonic=time.monotonic(),
        )
        with self._lock:
            self._reading = reading

    def now(self) -> dt.datetime:
        reading = self._reading
        if reading is None or time.monotonic() - reading.monotonic > self.ttl:
            if self.ttl <= 0:
                self.refresh()
            else:
                with self._asking:  # one thread asks, the threads arriving meanwhile use its answer
                    reading = self._reading
                    if reading is None or time.monotonic() - reading.monotonic > self.ttl:
                        self.refresh()
            reading = self._reading
        assert reading is not None
        if reading.frozen:
            return reading.sim
        return reading.sim + (real_now() - reading.real) * reading.speed

    def real_now(self) -> dt.datetime:
        return real_now()


class HostClock:
    """The embedded shortcut: the hosting process's own simulated time."""

    def __init__(self, now: Callable[[], dt.datetime]):
        self._now = now

    def now(self) -> dt.datetime:
        return self._now().astimezone(UTC)

    def real_now(self) -> dt.datetime:
        return real_now()

    def refresh(self) -> None:
        pass


class FixedClock:
    """A clock a test sets by hand."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def real_now(self) -> dt.datetime:
        return real_now()

    def refresh(self) -> None:
        pass
