"""Rows of the dispatch core's tables as typed values, for the code that reads them
(engine, deliveries, the "why" page). Pure: the store builds them, nothing here knows SQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from dispatchcore.states import Outcome, StepKind, StepState


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


@dataclasses.dataclass(frozen=True)
class BookingRow:
    """One row of ``dispatch_bookings``: the booking as the booking system sent it (``data``,
    the JSON form of ``domain.Booking``) and where its dispatch stands."""

    booking_id: str
    personnummer: str
    profile: str
    kind: str
    data: dict[str, Any]
    revision: int
    business_object_id: str  # the thread every message of the booking joins (MC-09)
    cancelled: bool
    manual: bool  # CH-11: a person must handle it
    outcome: Outcome | None  # None until decided
    read_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def status(self) -> str:
        """What the booking system is told: manual, cancelled, dispatched or pending."""
        if self.manual:
            return "manual"
        if self.cancelled:
            return "cancelled"
        return "dispatched" if self.outcome else "pending"


@dataclasses.dataclass(frozen=True)
class DecisionRow:
    """One row of ``dispatch_decisions``: a channel decision and every input it saw."""

    id: int
    booking_id: str
    key: str  # "dispatch:1", "relookup:1:2", "cancel", "citizen:<event>"
    decided_at: dt.datetime
    outcome: Outcome
    rule_ids: list[str]
    record: dict[str, Any]  # inputs, reasons, channels (the decision record)
