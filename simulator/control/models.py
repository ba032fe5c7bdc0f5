"""Request and response models of the control API (citizens, inbox, clock, reset, health):
one pydantic model per concept, the OpenAPI document is generated from them.

The citizen models mirror ``simulator.population.domain.Citizen`` (and its ``Account``,
``Address``) field by field; ``tests/control/test_models.py`` fails when a field is added
to the domain and not here. To add a citizen field: add it to the dataclass, add it to
``CitizenFields`` below (optional, ``None`` = not given) and to ``Citizen`` (the answer),
and, if it depends on other fields, check it in the population's ``_check_consistency``
(``simulator.population.domain``), which every create and PATCH runs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, NoReturn

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    RootModel,
    StrictBool,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from simulator.clock import parse_duration, parse_instant
from simulator.control.spec import Query, Strict
from simulator.errors import FieldError
from simulator.population.personnummer import problem as personnummer_problem

# Instants the clock, the traffic filters and bookings accept (docs/control-api.md).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
MAX_SPEED = 100_000
MAX_ADVANCE = dt.timedelta(days=300 * 366)
# The clock must stay inside EARLIEST..LATEST for at least this much real time at its speed.
CLOCK_HORIZON = dt.timedelta(hours=1)
MAX_ID = 2**31 - 1  # ids and counters are INTEGER columns (32-bit on PostgreSQL)

_MOBILE = re.compile(r"\+?[0-9 -]{6,20}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _matching(pattern: re.Pattern, message: str):
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(message)
        return value

    return check


def _personnummer(value: str) -> str:
    reason = personnummer_problem(value)
    if reason is not None:
        raise ValueError(reason)
    return value


def _in_range(value: dt.datetime) -> dt.datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"must lie from {EARLIEST:%Y-%m-%d} up to {LATEST:%Y-%m-%d}")
    return value


def instant(text: str) -> dt.datetime:
    """An ISO 8601 date-time within the documented range; without an offset Swedish time."""
    try:
        value = parse_instant(text)
    except (ValueError, OverflowError):
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-11-02T08:00 or 2026-11-02T08:00+01:00") from None
    return _in_range(value)


def _instant_text(text: str) -> str:
    instant(text)
    return text


def _duration(text: str) -> str:
    try:
        delta = parse_duration(text)
    except (ValueError, OverflowError):
        raise ValueError(
            "must be an ISO 8601 duration of weeks/days/hours/minutes/seconds, e.g. P3D or PT90M"
        ) from None
    if abs(delta) > MAX_ADVANCE:
        raise ValueError(f"must be at most {MAX_ADVANCE.days} days either way")
    return text


def _date_in_range(value: dt.date) -> dt.date:
    _in_range(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC))
    return value


Personnummer = Annotated[
    StrictStr,
    AfterValidator(_personnummer),
    Field(description="12 characters YYYYMMDDNNNC; samordningsnummer day + 60; reservnummer p/t/f in position 9."),
]
Text = Annotated[StrictStr, StringConstraints(max_length=200)]
Name = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
Instant = Annotated[
    StrictStr,
    StringConstraints(max_length=64),
    AfterValidator(_instant_text),
    Field(description="ISO 8601 date-time from 1900 up to 2200; without an offset: Swedish time."),
]
Duration = Annotated[
    StrictStr,
    StringConstraints(max_length=64),
    AfterValidator(_duration),
    Field(description="ISO 8601 duration (weeks, days, hours, minutes, seconds), at most 300 years."),
]
Day = Annotated[dt.date, Field(strict=False), AfterValidator(_date_in_range)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
JsonObject = dict[str, Any]


# --- citizens ------------------------------------------------------------------------


class AccountFields(Strict):
    """The 1177 account; in a PATCH only the members given change."""

    exists: StrictBool | None = Field(None, description="false: never logged in (CH-06)")
    active: StrictBool | None = Field(None, description="false: locked (CH-08); cannot be true without exists")
    sms_notification: StrictBool | None = None
    email_notification: StrictBool | None = None
    mobile: (
        Annotated[Text, AfterValidator(_matching(_MOBILE, "must be a phone number such as +46701234567"))] | None
    ) = None
    email: Annotated[Text, AfterValidator(_matching(_EMAIL, "must be an e-mail address"))] | None = None
    phone: Text | None = None


class AddressFields(Strict):
    street: Text | None = None
    postal_code: Text | None = None
    city: Text | None = None
    care_of: Text | None = None


class CitizenFields(Strict):
    """Members of a citizen a tester may set; in a PATCH, only those given change."""

    personnummer: Personnummer | None = Field(None, description="Cannot be changed once created.")
    given_name: Name | None = None
    surname: Name | None = None
    middle_name: Text | None = None
    calling_name: Text | None = Field(None, description="tilltalsnamn: one of the given names")
    address: AddressFields | None = None
    county_code: Text | None = None
    municipality_code: Text | None = None
    parish_code: Text | None = None
    protected: StrictBool | None = None
    protected_population_record: StrictBool | None = None
    deceased: StrictBool | None = None
    deceased_date: Day | None = None
    deregistration_code: Text | None = None
    optout_paper: StrictBool | None = None
    linked_identity: Personnummer | None = Field(None, description="reservnummer only: its main identity")
    account: AccountFields | None = None
    label: Text | None = None
    seeded: None = Field(None, json_schema_extra={"readOnly": True}, description="set by the seed only")
    # PU register attributes (docs/population.md has their JSON shapes): read in depth by
    # simulator.population.register, which names the member at fault; a PATCH replaces them whole.
    relations: list[JsonObject] | None = Field(None, description="guardian/child/spouse, each from this side")
    marital_status: JsonObject | None = Field(None, description="{code, since}: civilstånd")
    citizenships: list[JsonObject] | None = None
    immigration: JsonObject | None = None
    birth_abroad: JsonObject | None = None
    registered_since: Text | None = Field(None, description="date of the current registration")
    district_code: Text | None = None
    special_address: JsonObject | None = None
    address_abroad: JsonObject | None = None
    previous_address: JsonObject | None = None
    previous_registrations: list[JsonObject] | None = None
    referred_identities: list[JsonObject] | None = Field(
        None, description="changed personnummer: {personnummer, status NY/AS}"
    )
    identity_level: Text | None = Field(None, description="samordningsnummer only")
    contact_persons: list[JsonObject] | None = None
    confirmed_identity: JsonObject | None = Field(None, description="reservnummer only")
    administrative: JsonObject | None = Field(None, description="reservnummer only")
    registered_by: Text | None = Field(None, description="reservnummer only: HSA-id of the unit")

    @field_validator("seeded", mode="before")
    @classmethod
    def _seeded_is_read_only(cls, value):
        raise ValueError('is read-only: it is set by the seed (POST /api/reset {"reseed": true})')

    def changes(self) -> dict:
        """What the request sets; ``null`` for a member that may not be null is refused."""
        given = self.model_dump(exclude_unset=True)
        for name in NOT_NULL:
            if name in given and given[name] is None:
                raise_field(name, "must not be null")
        for section, names in (("account", ACCOUNT_NOT_NULL), ("address", ADDRESS_NOT_NULL)):
            for name in names:
                if (given.get(section) or {}).get(name, "") is None:
                    raise_field(f"{section}.{name}", "must not be null")
        return given


class CitizenCreate(CitizenFields):
    personnummer: Personnummer
    given_name: Name
    surname: Name


class CitizenPatch(CitizenFields):
    pass


NOT_NULL = (
    "given_name",
    "surname",
    "address",
    "account",
    "protected",
    "protected_population_record",
    "deceased",
    "optout_paper",
)
ACCOUNT_NOT_NULL = ("exists", "active", "sms_notification", "email_notification")
ADDRESS_NOT_NULL = ("street", "postal_code", "city")


def raise_field(field: str, message: str) -> NoReturn:
    raise FieldError(field, message)


class Account(BaseModel):
    exists: bool
    active: bool
    sms_notification: bool
    email_notification: bool
    mobile: str | None
    email: str | None
    phone: str | None


class Address(BaseModel):
    street: str
    postal_code: str
    city: str
    care_of: str | None


class Citizen(BaseModel):
    """A citizen as the services see them."""

    personnummer: str
    given_name: str
    surname: str
    middle_name: str | None
    calling_name: str | None
    address: Address
    county_code: str | None
    municipality_code: str | None
    parish_code: str | None
    protected: bool
    protected_population_record: bool
    deceased: bool
    deceased_date: dt.date | None
    deregistration_code: str | None
    optout_paper: bool
    linked_identity: str | None
    account: Account
    label: str | None
    seeded: bool = Field(description="read-only: part of the seeded population")
    object_id: str | None = Field(None, description="read-only: the id GetUserProfileByAgent names the citizen by")
    updated_at: str | None = Field(None, description="read-only: when the record last changed (PU version)")
    relations: list[JsonObject] = []
    marital_status: JsonObject | None = None
    citizenships: list[JsonObject] = []
    immigration: JsonObject | None = None
    birth_abroad: JsonObject | None = None
    registered_since: str | None = None
    district_code: str | None = None
    special_address: JsonObject | None = None
    address_abroad: JsonObject | None = None
    previous_address: JsonObject | None = None
    previous_registrations: list[JsonObject] = []
    referred_identities: list[JsonObject] = []
    identity_level: str | None = None
    contact_persons: list[JsonObject] = []
    confirmed_identity: JsonObject | None = None
    administrative: JsonObject | None = None
    registered_by: str | None = None


class CitizenPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[Citizen]


class CitizenQuery(Query):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)
    label: Annotated[str, StringConstraints(max_length=200)] | None = Field(None, description="case-insensitive exact")
    seeded: bool | None = None


# --- inbox ---------------------------------------------------------------------------


class InboxQuery(Query):
    status: Literal["Active", "Archived"] | None = None
    include_xml: bool = False


class Facility(BaseModel):
    hsa_id: str | None
    name: str | None
    address: str | None
    postal_code: str | None
    postal_city: str | None
    telephone: str | None


class Booking(BaseModel):
    booking_id: str | None
    is_invitation: bool | None
    is_open_invitation: bool | None
    rebooking_allowed: bool | None
    cancel_booking_allowed: bool | None
    cancelled: bool | None
    booking_date: str | None


class InboxMessage(BaseModel):
    message_id: str
    business_object_id: str | None
    received_at: str
    read_at: str | None
    case_read_status: str | None
    user_selection_status: str | None
    result_code: str | None
    docbook_ok: bool | None
    docbook_violations: list[dict]
    facility: Facility | None
    booking: Booking | None
    consumer: str | None
    logical_address: str | None
    message_xml: str | None = None


class Thread(BaseModel):
    thread_key: str
    business_object_id: str | None
    unread_count: int
    latest_at: str | None
    user_selection_status: str | None
    messages: list[InboxMessage]


class Inbox(BaseModel):
    personnummer: str
    thread_count: int
    message_count: int
    unread_count: int
    threads: list[Thread]


# --- reset, clock, health ------------------------------------------------------------


class ResetRequest(Strict):
    include_seed: StrictBool = Field(False, description="remove the seeded citizens too (empty population)")
    reseed: StrictBool = Field(False, description="remove the seeded citizens and load them afresh")


class ResetSummary(BaseModel):
    removed: dict[str, int]
    citizens: int
    seeded_citizens: int
    reseeded: bool


class ClockCommand(Strict):
    """One or more of these; ``reset`` wins over the others."""

    set: Instant | None = None
    advance: Duration | None = None
    freeze: StrictBool | None = None
    speed: Annotated[float, Field(gt=0, le=MAX_SPEED, allow_inf_nan=False)] | None = Field(
        None, description=f"simulated seconds per real second, above 0 and at most {MAX_SPEED}"
    )
    reset: StrictBool | None = Field(None, description="back to real time")

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("clock command must have one of advance, freeze, reset, set, speed")
        return self


class ClockState(BaseModel):
    now: str = Field(description="Simulated time, UTC.")
    now_local: str = Field(description="Simulated time, Europe/Stockholm.")
    offset_seconds: float
    speed: float
    frozen: bool


class ClockAuditEntry(BaseModel):
    real_time: str
    sim_before: str
    sim_after: str
    command: dict
    actor: str | None


class ClockAudit(RootModel[list[ClockAuditEntry]]):
    pass


class Health(BaseModel):
    status: str
    clock: str
    endpoints: list[str]
