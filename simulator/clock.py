"""The simulator clock.

Every timestamp the simulator writes (actionDate/actionTime, read time, notification
time, paper delivery) is read from one clock so that test scenarios such as the 3-day
paper fallback run in seconds. The clock is a pure value object: its state is stored by
``simulator.storage.clockstore`` so that every server process sees the same time.

Range: simulated time lives between ``EARLIEST`` (1900-01-01) and ``LATEST``
(2200-01-01) UTC. Commands that would leave the range are refused (ValueError naming the
field); a clock that *runs* out of it (speed 100000 near 2200) stops at the bound, and a
stored state from outside it (an older version, a hand-edited row) reads as the bound.
So every state the store can hold can be served: nothing downstream (Swedish local
time, ``+ timedelta(days=3)``, seeding) ever sees a datetime near year 1 or 9999, where
Python raises OverflowError.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

SWEDEN = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=UTC)
MAX_SPEED = 100000.0

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> dt.timedelta:
    """Parse an ISO 8601 duration such as ``P3D`` or ``PT90M`` (no years/months: they
    have no fixed length, and a test scenario must say exactly how far it moves)."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "-P") or text.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration of weeks/days/hours/minutes/seconds: {text!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    try:
        delta = dt.timedelta(**parts)
    except OverflowError:
        raise ValueError(f"duration too long: {text!r}") from None
    return -delta if match.group("sign") else delta


def parse_instant(text: str) -> dt.datetime:
    """Parse an ISO datetime; a naive one is Swedish local time (what a tester means)."""
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SWEDEN)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        raise ValueError(f"{text!r} is outside {EARLIEST.date()} .. {LATEST.date()}") from None


def in_range(instant: dt.datetime, field: str) -> dt.datetime:
    """``instant`` if the clock may be set to it, else ValueError naming ``field``."""
    if not EARLIEST <= instant <= LATEST:
        raise ValueError(f"{field}: must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return instant


def saturated(instant: dt.datetime) -> dt.datetime:
    """``instant`` held inside the clock's range."""
    return min(max(instant, EARLIEST), LATEST)


@dataclasses.dataclass(frozen=True)
class ClockState:
    """Simulated time is ``sim_anchor + (real_now - real_anchor) * speed``, or
    ``sim_anchor`` while frozen. Real time (speed 1, offset 0) is the default."""

    real_anchor: dt.datetime
    sim_anchor: dt.datetime
    speed: float = 1.0
    frozen: bool = False

    @classmethod
    def real_time(cls, real_now: dt.datetime) -> ClockState:
        return cls(real_anchor=real_now, sim_anchor=real_now)

    @property
    def effective_speed(self) -> float:
        """The speed within (0, MAX_SPEED]; a stored NaN or negative reads as real time."""
        if not (math.isfinite(self.speed) and self.speed > 0):
            return 1.0
        return min(self.speed, MAX_SPEED)

    def now(self, real_now: dt.datetime) -> dt.datetime:
        """Never raises and never leaves EARLIEST..LATEST, whatever the stored state."""
        if self.frozen:
            return saturated(self.sim_anchor)
        try:
            return saturated(self.sim_anchor + (real_now - self.real_anchor) * self.effective_speed)
        except OverflowError:  # the sum passed year 1 or 9999: it is past a bound anyway
            return LATEST if real_now >= self.real_anchor else EARLIEST

    def rebased(self, real_now: dt.datetime, **changes) -> ClockState:
        """A new state anchored at this instant, so a change never jumps time backwards
        by accident (changing speed keeps the current simulated time)."""
        base = ClockState(real_now, self.now(real_now), self.effective_speed, self.frozen)
        return dataclasses.replace(base, **changes)

    def as_dict(self, real_now: dt.datetime) -> dict:
        now = self.now(real_now)
        return {
            "now": now.isoformat(),
            "now_local": now.astimezone(SWEDEN).isoformat(),
            "offset_seconds": round((now - real_now).total_seconds(), 3),
            "speed": self.effective_speed,
            "frozen": self.frozen,
        }


def apply_command(state: ClockState, command: dict, real_now: dt.datetime) -> ClockState:
    """Apply one control command (``set``, ``advance``, ``freeze``, ``speed``, ``reset``).
    Raises ValueError naming the bad field."""
    allowed = {"set", "advance", "freeze", "speed", "reset"}
    unknown = set(command) - allowed
    if unknown or not command:
        raise ValueError(f"clock command must have one of {sorted(allowed)}; got {sorted(command) or 'nothing'}")
    if command.get("reset"):
        return ClockState.real_time(real_now)
    new = state.rebased(real_now)
    if "set" in command:
        try:
            instant = parse_instant(str(command["set"]))
        except ValueError as exc:
            raise ValueError(f"set: {exc}") from None
        new = dataclasses.replace(new, sim_anchor=in_range(instant, "set"))
    if "advance" in command:
        try:
            moved = new.sim_anchor + parse_duration(str(command["advance"]))
        except ValueError as exc:
            raise ValueError(f"advance: {exc}") from None
        except OverflowError:
            raise ValueError("advance: moves the clock out of range") from None
        new = dataclasses.replace(new, sim_anchor=in_range(moved, "advance"))
    if "freeze" in command:
        if not isinstance(command["freeze"], bool):
            raise ValueError("freeze: must be true or false")
        new = dataclasses.replace(new, frozen=command["freeze"])
    if "speed" in command:
        speed = command["speed"]
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 0 < speed <= MAX_SPEED:
            raise ValueError("speed: must be a number above 0 and at most 100000")
        new = dataclasses.replace(new, speed=float(speed))
    return new


class Clock:
    """What domain code holds: ``clock.now()``. ``load_state`` fetches the shared state
    (from the store); ``real_now`` is injectable so the clock itself is testable."""

    def __init__(
        self,
        load_state: Callable[[], ClockState | None],
        real_now: Callable[[], dt.datetime] = lambda: dt.datetime.now(UTC),
    ):
        self._load_state = load_state
        self.real_now = real_now

    def state(self) -> ClockState:
        return self._load_state() or ClockState.real_time(self.real_now())

    def now(self) -> dt.datetime:
        """Current simulated time, timezone-aware UTC."""
        return self.state().now(self.real_now())

    def local_now(self) -> dt.datetime:
        """Current simulated time in Swedish local time (what a citizen reads)."""
        return self.now().astimezone(SWEDEN)
