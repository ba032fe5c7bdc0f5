"""Checks, one module per rule family. ``wirerules`` judges requests (shared by the active
scenarios and the passive traffic check); the other modules hold the scenarios."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.scenario import Scenario


def scenarios() -> list[type[Scenario]]:
    """Every scenario class, in catalog order of the first rule each judges."""
    from conformance.checks import channels, content, lookups, reporting, timers

    found: list[type[Scenario]] = [
        *lookups.SCENARIOS,
        *channels.SCENARIOS,
        *timers.SCENARIOS,
        *content.SCENARIOS,
        *reporting.SCENARIOS,
    ]
    return found
