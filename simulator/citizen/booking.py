"""The booking buttons of a thread ("Boka om", "Avboka"; MC-06, 004 §3).

A button is shown only when the latest message about the booking allows it, the
booking has not been cancelled in the thread (MC-10: a cancellation comes as a message
with ``booking/cancelled=true``), its time has not passed on the simulator clock, and the
citizen has not already asked to cancel it. Reads the inbox's booking columns."""

from __future__ import annotations

import dataclasses
import datetime as dt

from simulator.clock import SWEDEN

ACTIONS = {"rebook": "Boka om", "cancel": "Avboka"}


def booking_time(text: str | None) -> dt.datetime | None:
    """bookingDate (xs:dateTime) as an aware time; without a zone it is Swedish time."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=SWEDEN)


@dataclasses.dataclass(frozen=True)
class BookingState:
    message_id: str
    booking_id: str
    booking_date: dt.datetime | None
    rebooking_allowed: bool
    cancel_allowed: bool
    cancelled: bool
    past: bool
    cancel_requested: bool

    @property
    def open(self) -> bool:
        return not (self.cancelled or self.past or self.cancel_requested)

    def allows(self, action: str) -> bool:
        allowed = {"rebook": self.rebooking_allowed, "cancel": self.cancel_allowed}.get(action, False)
        return self.open and allowed

    @property
    def has_buttons(self) -> bool:
        return any(self.allows(action) for action in ACTIONS)

    @property
    def status_text(self) -> str | None:
        """Why there are no buttons, in the citizen's words."""
        if self.cancelled:
            return "Bokningen är avbokad."
        if self.cancel_requested:
            return "Du har begärt avbokning. Mottagningen återkommer."
        if self.past:
            return "Tiden har passerat."
        return None


def booking_state(messages: list[dict], actions: list[dict], now: dt.datetime) -> BookingState | None:
    """State of the newest booking in a thread (messages oldest first, as stored)."""
    with_booking = [m for m in messages if m.get("booking_id")]
    if not with_booking:
        return None
    latest = with_booking[-1]
    booking_id = latest["booking_id"]
    when = booking_time(latest.get("booking_date"))
    return BookingState(
        message_id=latest["message_id"],
        booking_id=booking_id,
        booking_date=when,
        rebooking_allowed=bool(latest.get("booking_rebooking_allowed")),
        cancel_allowed=bool(latest.get("booking_cancel_allowed")),
        cancelled=any(m.get("booking_cancelled") for m in with_booking if m["booking_id"] == booking_id),
        past=when is not None and when < now,
        cancel_requested=any(a["action"] == "cancel" and a["booking_id"] == booking_id for a in actions),
    )
