"""The JSON request bodies of the dispatch core's APIs as pydantic models: the shape of
each field (type, length, pattern, no unknown field) is declared once, here, and a bad body
becomes one ``FieldError`` naming the dotted field (400 ``{"error", "field"}``).

What depends on more than one field or on the system's state (the profiles it serves, an
open invitation without a time, the visit not yet started) stays in ``domain``; this module
knows only the wire shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from dispatchcore.errors import FieldError
from dispatchcore.personnummer import validate as validate_personnummer

KINDS = ("kallelse", "open_invitation", "confirmation")


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
City = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


def _http_url(value: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return value


class _Body(BaseModel):
    """No unknown field, no coercion ("ja" is not a boolean, 1 is not a string)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FacilityIn(_Body):
    hsa_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{3,64}$")]
    name: Name
    address: Line = ""
    postal_code: PostalCode = ""
    city: City = ""
    phone: Phone = ""
    directions_url: Url = ""

    _url = field_validator("directions_url")(_http_url)


class BookingIn(_Body):
    """A booking as the booking system sends it (POST /dispatch/api/bookings, the adapter)."""

    booking_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    personnummer: str
    type: Literal["kallelse", "open_invitation", "confirmation"] = "kallelse"
    profile: str = "rjl"
    facility: FacilityIn
    visit_start: str | None = None  # ISO 8601; domain reads it (no offset: Swedish time)
    visit_end: str | None = None
    visit_type: Line = ""
    preparations: Text = ""
    interpreter: bool = False
    interpreter_language: Short = ""
    physical_enclosures: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list
    )
    form_url: Url = ""
    sms_reminder_consent: bool = False
    mobile: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\+?[0-9 -]{6,20})?$")] = ""
    rebooking_allowed: bool = True
    cancel_allowed: bool = True
    performer_name: Line = ""

    _url = field_validator("form_url")(_http_url)

    @field_validator("personnummer", mode="before")
    @classmethod
    def _personnummer(cls, value: object) -> str:
        try:
            return validate_personnummer(value)
        except FieldError as exc:
            raise ValueError(exc.message) from None


class SettingsIn(_Body):
    """PUT /dispatch/api/settings: the one thing changeable at run time."""

    # URLs and timeout_seconds: each value is checked by Settings.with_endpoints, which names it
    endpoints: dict[str, Any] = Field(default_factory=dict)


class CitizenActionIn(BaseModel):
    """The simulator's callback when a citizen presses Avboka/Boka om (MC-06)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    booking_id: str
    personnummer: str
    type: Literal["cancel", "rebook"]
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]  # the idempotency key


Model = TypeVar("Model", bound=BaseModel)

_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "is required",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "string_too_long": "is too long",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "has the wrong form",
    "literal_error": "must be one of the allowed values",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
}


def field_error(exc: ValidationError) -> FieldError:
    """The first problem of a body as the API's error: dotted field, plain words."""
    errors = exc.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a typo explains the rest
    field = ".".join(str(part) for part in first["loc"] if isinstance(part, str)) or "body"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] in _MESSAGES:
        message = _MESSAGES[first["type"]]
        if first["type"] == "literal_error":
            message = first["msg"].replace("Input should be", "must be")
        if first["type"] == "string_pattern_mismatch" and field == "booking_id":
            message = "1-64 characters A-Z a-z 0-9 . _ : - (starting alphanumeric)"
        if first["type"] == "string_pattern_mismatch" and field == "mobile":
            message = "must be a phone number such as +46701234567"
        if first["type"] == "string_pattern_mismatch" and field == "facility.hsa_id":
            message = "must be an HSA-id such as SE2321000065-E12"
    return FieldError(field, message)


def parse(model: type[Model], data: Any) -> Model:
    """``data`` (decoded JSON) as ``model``, or the FieldError naming the first bad field."""
    if not isinstance(data, dict):
        raise FieldError("body", "must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise field_error(exc) from None
