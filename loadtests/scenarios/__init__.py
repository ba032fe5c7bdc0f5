"""The locust scenarios, by name. Each is a plain locustfile beside this module (runnable
with ``locust -f`` too); ``after`` names what the runner does once the users stopped,
before reconciling (the dispatch scenarios wait for the dispatch core to drain)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    dispatch: bool = False  # needs the dispatch core (bookings API + worker)
    after: str | None = None  # "module:function(context) -> dict" run after the load

    @property
    def locustfile(self) -> Path:
        return HERE / f"{self.name}.py"


SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "vendor_traffic",
            "care-system mix: AddMessage, GetUserProfile, GetPersonsForProfile 1-500, "
            "GetMessageStatus through the platform",
        ),
        Scenario("citizens_reading", "citizens log in on the 1177 pages and open their threads"),
        Scenario(
            "dispatch_end_to_end",
            "bookings API -> dispatch core -> simulator; booking-to-inbox latency",
            dispatch=True,
            after="loadtests.campaign:drain_after_load",
        ),
        Scenario(
            "soak",
            "vendor mix paced at --rate per vendor user, citizens reading, a tester on the control "
            "API: long runs at about half capacity (0 errors, memory flat, reconciled)",
        ),
        Scenario(
            "screening_campaign",
            "a burst of bookings, drained, then the clock advanced so fallbacks fire",
            dispatch=True,
            after="loadtests.campaign:screening_after_load",
        ),
    )
}


def resolve(names: str) -> list[Scenario]:
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in SCENARIOS]
    if unknown or not chosen:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SCENARIOS)}")
    return [SCENARIOS[n] for n in chosen]
