"""Checks, one module per rule family. ``wirerules`` judges requests (shared by the active
scenarios and the passive traffic check); the other modules hold the scenarios."""

from __future__ import annotations


def scenarios() -> list[type]:
    """Every scenario class, in catalog order of the first rule each judges."""
    from conformance.checks import channels, content, lookups, timers

    found = [*lookups.SCENARIOS, *channels.SCENARIOS, *timers.SCENARIOS, *content.SCENARIOS]
    return found
