"""What the population register (folkbokföringen, via PU-tjänsten) knows about a citizen
beyond name and address: family relations, marital status, citizenship, immigration,
earlier identities and addresses, contact persons and the reserve-identity records.

Each attribute is a small dataclass whose JSON form (control API, citizens table) is its
field names; :func:`read` turns JSON into these types and names the field on bad input
(``relations[0].kind``), :func:`to_json` writes them back. Constraints come from the PU
contract (TKB v5.1 chapter 6: CountryCode two characters, CodedValue 40, String40/80)
and are declared once, as field metadata, where the field is. Where the TKB points to
the information specification [R3] for a code list (not in the reference set), the
codes are Skatteverket's (Navet) and docs/population.md says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import types
import typing
from typing import Any

from simulator.errors import FieldError


class RelationKind(enum.StrEnum):
    """Whom the related person is *to this citizen* (PU relationshipType, Navet codes)."""

    GUARDIAN = "guardian"  # vårdnadshavare of this citizen
    CHILD = "child"  # a child in this citizen's custody
    SPOUSE = "spouse"  # make/maka/registrerad partner


RELATIONSHIP_CODES = {RelationKind.GUARDIAN: "V", RelationKind.CHILD: "B", RelationKind.SPOUSE: "M"}
# Skatteverket's civilstånd: ogift, gift, änka/änkling, skild, registrerad partner,
# skild partner, efterlevande partner.
MARITAL_CODES = ("OG", "G", "Ä", "S", "RP", "SP", "EP")
NORDIC_COUNTRIES = ("NO", "DK", "FI", "FO", "IS")  # TKB 6.1.26
REFERRED_STATUSES = ("NY", "AS")  # TKB 6.1.28: the referred number is the new one / an ended one
IDENTITY_LEVELS = ("STYRKT", "SANNOLIK", "OSAKER", "INTE_TILLAMPLIG")  # TKB 6.1.39, samordningsnummer
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def limit(maxlen: int | None = None, choices: tuple[str, ...] | None = None, country: bool = False) -> Any:
    """Field metadata the reader checks: a maximum length, a code list, an ISO country code."""
    return {"maxlen": maxlen, "choices": choices, "country": country}


def e164(value: str, field: str, country_code: str = "46") -> str:
    """TKB 6.1.12: a phone number in PU is E.164. Accepts what people type (``070-174 06
    50``, ``0046 70 ...``, ``+46 (0)70 ...``) and answers ``+46701740650``; anything else is
    a FieldError. A national number (leading 0) is Swedish."""
    digits = re.sub(r"[\s\-()./]", "", value.replace("(0)", ""))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = f"+{country_code}{digits[1:]}"
    if not _E164.match(digits):
        raise FieldError(field, "must be a phone number, e.g. 070-174 06 50 or +46701740650 (stored as E.164)")
    return digits


@dataclasses.dataclass
class Relation:
    personnummer: str
    kind: RelationKind
    since: dt.date | None = None


@dataclasses.dataclass
class MaritalStatus:
    code: str = dataclasses.field(metadata=limit(choices=MARITAL_CODES))
    since: dt.date | None = None


@dataclasses.dataclass
class Citizenship:
    country: str = dataclasses.field(metadata=limit(country=True))
    since: dt.date | None = None


@dataclasses.dataclass
class NordicId:
    number: str = dataclasses.field(metadata=limit(64))
    country: str = dataclasses.field(metadata=limit(choices=NORDIC_COUNTRIES))


@dataclasses.dataclass
class Immigration:
    date: dt.date | None = None
    right_of_residence: bool | None = None
    nordic_ids: list[NordicId] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class BirthAbroad:
    place: str | None = dataclasses.field(default=None, metadata=limit(80))
    country: str | None = dataclasses.field(default=None, metadata=limit(40))  # in words, as SKV writes it


@dataclasses.dataclass
class AddressAbroad:
    lines: list[str] = dataclasses.field(default_factory=list, metadata=limit(40))
    country: str | None = dataclasses.field(default=None, metadata=limit(40))  # in words, as SKV writes it
    since: dt.date | None = None


@dataclasses.dataclass
class PostalAddress:
    """A Swedish postal address (ResidentialAddressType): special, earlier, contact person's."""

    street: str = dataclasses.field(default="", metadata=limit(40))
    postal_code: str = dataclasses.field(default="", metadata=limit(6))
    city: str = dataclasses.field(default="", metadata=limit(40))
    care_of: str | None = dataclasses.field(default=None, metadata=limit(40))


@dataclasses.dataclass
class Registration:
    """An earlier folkbokföring (län, kommun, församling) and the day it began."""

    since: dt.date | None = None
    county_code: str | None = dataclasses.field(default=None, metadata=limit(2))
    municipality_code: str | None = dataclasses.field(default=None, metadata=limit(2))
    parish_code: str | None = dataclasses.field(default=None, metadata=limit(2))


@dataclasses.dataclass
class ReferredIdentity:
    """A changed personnummer: the other number and whether it is the new (NY) one or an
    ended (AS) one, seen from this record (TKB 6.1.28)."""

    personnummer: str
    status: str = dataclasses.field(metadata=limit(choices=REFERRED_STATUSES))


@dataclasses.dataclass
class ContactPerson:
    relationship: str = dataclasses.field(metadata=limit(40))  # contactRelationshipType
    given_name: str | None = dataclasses.field(default=None, metadata=limit(80))
    surname: str | None = dataclasses.field(default=None, metadata=limit(80))
    phone: str | None = None  # E.164 once read
    email: str | None = None
    address: PostalAddress | None = None


@dataclasses.dataclass
class ConfirmedIdentity:
    """How a reserve identity was confirmed: the document shown (TKB 6.1.11)."""

    document: str = dataclasses.field(metadata=limit(40))  # typeOfIdentification
    number: str | None = None
    issuer: str | None = None
    country: str | None = dataclasses.field(default=None, metadata=limit(country=True))
    valid_until: dt.date | None = None


@dataclasses.dataclass
class Administrative:
    """Administrative notes on a reserve identity (TKB 6.1.5)."""

    category: str | None = dataclasses.field(default=None, metadata=limit(40))  # categoryOfPerson
    account_code: str | None = dataclasses.field(default=None, metadata=limit(40))
    comment: str | None = None


_HINTS: dict[type, dict[str, Any]] = {}  # one entry per register class: bounded


def _hints(cls: type) -> dict[str, Any]:
    """The class's resolved type hints, once per class (``typing.get_type_hints`` compiles
    every string annotation again on each call: two thirds of reading a stored citizen)."""
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


_SHAPES: dict[Any, tuple[str, Any]] = {}  # one entry per type hint of the classes above: bounded


def _shape(kind: Any) -> tuple[str, Any]:
    """What :func:`read` does with ``kind``, worked out once per hint (``typing.get_origin``
    and ``get_args`` on every value were most of reading a stored citizen)."""
    found = _SHAPES.get(kind)
    if found is not None:
        return found
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        found = ("optional", [k for k in typing.get_args(kind) if k is not type(None)][0])
    elif typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind)
        found = ("list", item)
    elif isinstance(kind, type) and dataclasses.is_dataclass(kind):
        found = ("object", kind)
    elif kind is dt.date:
        found = ("date", kind)
    elif kind is bool:
        found = ("bool", kind)
    elif isinstance(kind, type) and issubclass(kind, enum.StrEnum):
        found = ("enum", kind)
    else:
        found = ("str", kind)
    _SHAPES[kind] = found
    return found


def read(kind: Any, value: Any, field: str) -> Any:
    """``value`` (parsed JSON) as ``kind`` (a type hint of the classes above); FieldError
    naming the dotted ``field`` path on anything else."""
    shape, inner = _shape(kind)
    if shape == "optional":
        return None if value is None else read(inner, value, field)
    if shape == "list":
        if not isinstance(value, list):
            raise FieldError(field, "must be a list")
        return [read(inner, v, f"{field}[{i}]") for i, v in enumerate(value)]
    if shape == "object":
        return _read_object(inner, value, field)
    if shape == "str":
        if not isinstance(value, str) or len(value) > 200:
            raise FieldError(field, "must be a string of at most 200 characters")
        return value
    return _read_slow(kind, value, field)


def _read_slow(kind: Any, value: Any, field: str) -> Any:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        inner = [k for k in typing.get_args(kind) if k is not type(None)]
        return None if value is None else read(inner[0], value, field)
    if typing.get_origin(kind) is list:
        if not isinstance(value, list):
            raise FieldError(field, "must be a list")
        (item,) = typing.get_args(kind)
        return [read(item, v, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _read_object(kind, value, field)
    if kind is dt.date:
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise FieldError(field, "must be a date YYYY-MM-DD") from None
    if kind is bool:
        if not isinstance(value, bool):
            raise FieldError(field, "must be true or false")
        return value
    if isinstance(kind, type) and issubclass(kind, enum.StrEnum):
        if value not in {m.value for m in kind}:
            raise FieldError(field, f"must be one of {', '.join(m.value for m in kind)}")
        return kind(value)
    if not isinstance(value, str) or len(value) > 200:
        raise FieldError(field, "must be a string of at most 200 characters")
    return value


def _read_object(cls: type, value: Any, field: str) -> Any:
    if not isinstance(value, dict):
        raise FieldError(field, "must be an object")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise FieldError(f"{field}.{unknown[0]}", "unknown field")
    hints = _hints(cls)
    missing = [n for n, f in fields.items() if _required(f) and n not in value]
    if missing:
        raise FieldError(f"{field}.{missing[0]}", "is required")
    values = {}
    for name, raw in value.items():
        values[name] = read(hints[name], raw, f"{field}.{name}")
        _check_limits(fields[name], values[name], f"{field}.{name}")
    return cls(**values)


def _required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _check_limits(f: dataclasses.Field, value: Any, field: str) -> None:
    rules = f.metadata
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str):
            continue
        if rules.get("maxlen") and len(item) > rules["maxlen"]:
            raise FieldError(field, f"must be at most {rules['maxlen']} characters (PU contract)")
        if rules.get("choices") and item not in rules["choices"]:
            raise FieldError(field, f"must be one of {', '.join(rules['choices'])}")
        if rules.get("country") and not _COUNTRY.match(item):
            raise FieldError(field, "must be a two-letter country code (ISO 3166-1 alpha-2), e.g. NO")


def to_json(value: Any) -> Any:
    """The JSON form :func:`read` accepts: dates as ISO strings, enums as their value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.StrEnum):
        return value.value
    return value
