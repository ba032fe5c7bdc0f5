"""Rows of the dispatch core's tables as typed values, for the code that reads them
(engine, deliveries, the "why" page). Pure: the store builds them, nothing here knows SQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from dispatchcore.states import StepKind, StepState


@dataclasses.dataclass(frozen=True)
class StepRow:
    """One row of ``dispatch_steps``: what a booking still has to do or has done."""

    id: int
    booking_id: str
    key: str  # unique per booking: "addmessage:1", "reminder:2026-12-03", "citizen:<event>"
    kind: StepKind
    rule: str | None
    payload: dict[str, Any]
    due_at: dt.datetime  # simulator time
    state: StepState
    attempts: int
    done_at: dt.datetime | None
    result: dict[str, Any] | None

    @property
    def open(self) -> bool:
        """Still to be done (``todo``) or cut off mid-delivery (``sending``)."""
        return self.state.open
