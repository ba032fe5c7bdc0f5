"""What the suite expects of each regional profile: the rule parameters the guideline
rules name ("parameters are per profile", guideline-rules.md). These are the certifier's
expectations, deliberately kept apart from any engine's configuration."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Expectations:
    key: str
    name: str
    fallback_days: int  # FB-01 (001: "inom tre dagar")
    reminder_days_before: tuple[int, ...]  # RM-01 (001: four and one day before)
    short_notice_days: int  # CH-09 (000; vgr default 3)
    minor_age: int  # CH-03 (000: 0-18, 001: under 18)


PROFILES = {
    "rjl": Expectations(
        "rjl", "Region Jönköpings län", fallback_days=3, reminder_days_before=(4, 1), short_notice_days=3, minor_age=18
    ),
    "vgr": Expectations(
        "vgr",
        "Västra Götalandsregionen",
        fallback_days=3,
        reminder_days_before=(4, 1),
        short_notice_days=3,
        minor_age=18,
    ),
}
