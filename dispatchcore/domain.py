"""A booking as the care system's booking system hands it to the dispatch core, and the
validation of its JSON form: every error names the field (the API answers 400 with it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from dispatchcore.clock import SWEDEN, UTC
from dispatchcore.errors import FieldError
from dispatchcore.personnummer import validate as validate_personnummer

KINDS = ("kallelse", "open_invitation", "confirmation")
_BOOKING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_HSA_ID = re.compile(r"^[A-Za-z0-9-]{3,64}$")
_MOBILE = re.compile(r"^\+?[0-9 -]{6,20}$")


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
        data = dataclasses.asdict(self)
        data["type"] = data.pop("kind")
        data["physical_enclosures"] = list(self.physical_enclosures)
        for key in ("visit_start", "visit_end"):
            value = getattr(self, key)
            data[key] = value.astimezone(SWEDEN).isoformat() if value else None
        return data


_STRINGS = {
    "visit_type": 200,
    "preparations": 4000,
    "interpreter_language": 60,
    "form_url": 500,
    "mobile": 20,
    "performer_name": 200,
}
_BOOLS = ("interpreter", "sms_reminder_consent", "rebooking_allowed", "cancel_allowed")
_FACILITY_STRINGS = {"name": 200, "address": 200, "postal_code": 10, "city": 100, "phone": 40, "directions_url": 500}
ALLOWED = {
    "booking_id",
    "personnummer",
    "type",
    "profile",
    "facility",
    "visit_start",
    "visit_end",
    "physical_enclosures",
    *_STRINGS,
    *_BOOLS,
}


def _string(data: dict, name: str, maxlen: int, field: str | None = None, required: bool = False) -> str:
    field = field or name
    value = data.get(name)
    if value is None:
        if required:
            raise FieldError(field, "is required")
        return ""
    if not isinstance(value, str) or len(value) > maxlen:
        raise FieldError(field, f"must be a string of at most {maxlen} characters")
    if required and not value.strip():
        raise FieldError(field, "must not be empty")
    return value.strip()


def _url(value: str, field: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise FieldError(field, "must be an http(s) URL")
    return value


def _instant(value: Any, field: str) -> dt.datetime | None:
    """ISO date-time; a time without offset is Swedish local time (what a clinic means)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(field, "must be an ISO 8601 date-time such as 2026-12-01T09:30")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(field, "must be an ISO 8601 date-time such as 2026-12-01T09:30") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SWEDEN)
    return parsed.astimezone(UTC)


def _facility(data: Any) -> Facility:
    if not isinstance(data, dict):
        raise FieldError("facility", "must be an object with hsa_id and name")
    unknown = set(data) - {"hsa_id", *_FACILITY_STRINGS}
    if unknown:
        raise FieldError(f"facility.{sorted(unknown)[0]}", "unknown field")
    hsa_id = _string(data, "hsa_id", 64, "facility.hsa_id", required=True)
    if not _HSA_ID.match(hsa_id):
        raise FieldError("facility.hsa_id", "must be an HSA-id such as SE2321000065-E12")
    values = {k: _string(data, k, n, f"facility.{k}", required=(k == "name")) for k, n in _FACILITY_STRINGS.items()}
    _url(values["directions_url"], "facility.directions_url")
    return Facility(hsa_id=hsa_id, **values)


def parse_booking(data: Any, profiles: set[str], booking_id: str | None = None) -> Booking:
    """Validate the whole JSON booking (all or nothing). ``booking_id`` from the URL wins
    over (and must match) the body's."""
    if not isinstance(data, dict):
        raise FieldError("body", "must be a JSON object")
    unknown = set(data) - ALLOWED
    if unknown:
        raise FieldError(sorted(unknown)[0], "unknown field")
    body_id = data.get("booking_id")
    if booking_id is not None and body_id is not None and body_id != booking_id:
        raise FieldError("booking_id", "does not match the booking id in the URL")
    booking_id = booking_id if booking_id is not None else body_id
    if not isinstance(booking_id, str) or not _BOOKING_ID.match(booking_id):
        raise FieldError("booking_id", "is required: 1-64 characters A-Z a-z 0-9 . _ : - (starting alphanumeric)")
    personnummer = validate_personnummer(data.get("personnummer"))
    kind = data.get("type", "kallelse")
    if kind not in KINDS:
        raise FieldError("type", f"must be one of {list(KINDS)}")
    profile = data.get("profile", "rjl")
    if profile not in profiles:
        raise FieldError("profile", f"must be one of {sorted(profiles)}")
    start = _instant(data.get("visit_start"), "visit_start")
    end = _instant(data.get("visit_end"), "visit_end")
    if kind == "open_invitation":
        if start or end:
            raise FieldError("visit_start", "an open invitation has no visit time (MC-07)")
    elif start is None:
        raise FieldError("visit_start", f"is required for type {kind!r}")
    if start and end and end <= start:
        raise FieldError("visit_end", "must be after visit_start")
    strings = {name: _string(data, name, maxlen) for name, maxlen in _STRINGS.items()}
    _url(strings["form_url"], "form_url")
    if strings["mobile"] and not _MOBILE.match(strings["mobile"]):
        raise FieldError("mobile", "must be a phone number such as +46701234567")
    bools = {}
    for name in _BOOLS:
        value = data.get(name, name in ("rebooking_allowed", "cancel_allowed"))
        if not isinstance(value, bool):
            raise FieldError(name, "must be true or false")
        bools[name] = value
    enclosures = data.get("physical_enclosures", [])
    if not isinstance(enclosures, list) or not all(isinstance(e, str) and 0 < len(e) <= 200 for e in enclosures):
        raise FieldError("physical_enclosures", "must be a list of short descriptions (empty: none)")
    return Booking(
        booking_id=booking_id,
        personnummer=personnummer,
        kind=kind,
        profile=profile,
        facility=_facility(data.get("facility")),
        visit_start=start,
        visit_end=end,
        physical_enclosures=tuple(enclosures),
        **strings,
        **bools,
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
