"""One shared deadline for "nothing arrived" in a run.

Each positive expectation polls for up to ``wait_seconds`` (a slow vendor deserves that).
A vendor whose system never reaches the simulator at all would otherwise pay that wait
once per expectation, about twenty times over; instead the run arms one deadline at its
first wait, and once it has passed with nothing heard from the vendor (no recorded request
of its consumer HSA-id since T0, no expectation ever met), every wait ends at once and the
verdicts come early. Once anything was heard the deadline no longer applies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

PROBE_INTERVAL = 2.0  # seconds between two asks of the simulator while past the deadline


class Silence:
    def __init__(self, probe: Callable[[], bool]):
        self.probe = probe  # "has the simulator recorded anything from the vendor?"
        self.deadline: float | None = None
        self.heard = False
        self._probed_at = 0.0
        self._lock = threading.Lock()

    def arm(self, seconds: float) -> None:
        """The first wait of the run starts the shared deadline; later calls keep it."""
        with self._lock:
            if self.deadline is None:
                self.deadline = time.monotonic() + seconds

    def arrived(self) -> None:
        """Something the suite waited for was seen: the vendor is alive."""
        self.heard = True

    def expired(self) -> bool:
        """True when the shared deadline has passed and nothing was heard from the vendor."""
        if self.heard or self.deadline is None or time.monotonic() < self.deadline:
            return False
        with self._lock:
            if not self.heard and time.monotonic() - self._probed_at >= PROBE_INTERVAL:
                self._probed_at = time.monotonic()
                self.heard = bool(self.probe())
        return not self.heard
