"""A booking as the care system's booking system hands it to the dispatch core, and the
validation of its JSON form: every error names the field (the API answers 400 with it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from dispatchcore import models
from dispatchcore.errors import FieldError
from dispatchcore.localtime import SWEDEN, UTC

KINDS = models.KINDS


@dataclasses.dataclass(frozen=True)
class Facility:
    hsa_id: str
    name: str
    address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    directions_url: str = ""


@dataclasses.dataclass(frozen=True)
class Booking:
    """What one kallelse is about. ``visit_start`` is None only for an open invitation
    (MC-07). Times are aware UTC datetimes."""

    booking_id: str
    personnummer: str
    kind: str
    profile: str
    facility: Facility
    visit_start: dt.datetime | None = None
    visit_end: dt.datetime | None = None
    visit_type: str = ""
    preparations: str = ""
    interpreter: bool = False
    interpreter_language: str = ""
    physical_enclosures: tuple[str, ...] = ()
    form_url: str = ""
    sms_reminder_consent: bool = False
    mobile: str = ""
    rebooking_allowed: bool = True
    cancel_allowed: bool = True
    performer_name: str = ""

    @property
    def timed(self) -> bool:
        return self.visit_start is not None

    def to_json(self) -> dict[str, Any]:
        """The stored and API form. Built field by field: ``dataclasses.asdict`` deep-copies
        every value, a sixth of the booking intake's CPU, and nothing here is mutable."""
        data: dict[str, Any] = {field.name: getattr(self, field.name) for field in _BOOKING_FIELDS}
        data["facility"] = {field.name: getattr(self.facility, field.name) for field in _FACILITY_FIELDS}
        data["type"] = data.pop("kind")
        data["physical_enclosures"] = list(self.physical_enclosures)
        for key in ("visit_start", "visit_end"):
            value = getattr(self, key)
            data[key] = value.astimezone(SWEDEN).isoformat() if value else None
        return data


_BOOKING_FIELDS = dataclasses.fields(Booking)
_FACILITY_FIELDS = dataclasses.fields(Facility)


def _instant(value: str | None, field: str) -> dt.datetime | None:
    """ISO date-time; a time without offset is Swedish local time (what a clinic means)."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(field, "must be an ISO 8601 date-time such as 2026-12-01T09:30") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SWEDEN)
    return parsed.astimezone(UTC)


def parse_booking(data: Any, profiles: set[str], booking_id: str | None = None) -> Booking:
    """Validate the whole JSON booking (all or nothing): its shape by ``models.BookingIn``,
    then what needs more than one field. ``booking_id`` from the URL wins over (and must
    match) the body's."""
    if not isinstance(data, dict):
        raise FieldError("body", "must be a JSON object")
    body_id = data.get("booking_id")
    if booking_id is not None and body_id is not None and body_id != booking_id:
        raise FieldError("booking_id", "does not match the booking id in the URL")
    if booking_id is not None:
        data = {**data, "booking_id": booking_id}
    body = models.parse(models.BookingIn, data)
    if body.profile not in profiles:
        raise FieldError("profile", f"must be one of {sorted(profiles)}")
    start = _instant(body.visit_start, "visit_start")
    end = _instant(body.visit_end, "visit_end")
    if body.type == "open_invitation":
        if start or end:
            raise FieldError("visit_start", "an open invitation has no visit time (MC-07)")
    elif start is None:
        raise FieldError("visit_start", f"is required for type {body.type!r}")
    if start and end and end <= start:
        raise FieldError("visit_end", "must be after visit_start")
    values = body.model_dump(exclude={"type", "facility", "visit_start", "visit_end", "physical_enclosures"})
    return Booking(
        **values,
        kind=body.type,
        facility=Facility(**body.facility.model_dump()),
        visit_start=start,
        visit_end=end,
        physical_enclosures=tuple(body.physical_enclosures),
    )


def merge_update(current: Booking, data: Any, profiles: set[str]) -> Booking:
    """An update (new time or place) is the current booking with the given fields
    replaced; the identity fields cannot change."""
    if not isinstance(data, dict):
        raise FieldError("body", "must be a JSON object")
    for fixed in ("personnummer", "type", "profile"):
        if fixed in data and data[fixed] != current.to_json()[fixed]:
            raise FieldError(fixed, "cannot change on an update; cancel and create a new booking")
    merged = current.to_json()
    if isinstance(data.get("facility"), dict):
        data = {**data, "facility": {**merged["facility"], **data["facility"]}}
    merged.update(data)
    return parse_booking(merged, profiles, current.booking_id)


def booking_from_json(data: dict) -> Booking:
    """Trusted stored form back to a Booking (no validation: it was validated on entry)."""
    values = dict(data)
    values["kind"] = values.pop("type")
    values["facility"] = Facility(**values["facility"])
    values["physical_enclosures"] = tuple(values.get("physical_enclosures") or ())
    for key in ("visit_start", "visit_end"):
        values[key] = dt.datetime.fromisoformat(values[key]).astimezone(UTC) if values.get(key) else None
    return Booking(**values)
