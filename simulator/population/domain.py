"""A simulated citizen as the three services see them, and the validation of the JSON
form that the control API accepts (errors name the field)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from simulator.errors import FieldError
from simulator.population.personnummer import is_reservnummer
from simulator.population.personnummer import problem as personnummer_problem


@dataclasses.dataclass
class Account:
    """The citizen's 1177 account. ``exists=False``: never logged in (CH-06);
    ``active=False``: locked/inactive (CH-08)."""

    exists: bool = False
    active: bool = False
    sms_notification: bool = False
    email_notification: bool = False
    mobile: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def digitally_reachable(self) -> bool:
        """The catalog's term: account exists and is active, and a notification is on."""
        return self.exists and self.active and (self.sms_notification or self.email_notification)


@dataclasses.dataclass
class Address:
    street: str = ""
    postal_code: str = ""
    city: str = ""
    care_of: str | None = None


@dataclasses.dataclass
class Citizen:
    personnummer: str
    given_name: str
    surname: str
    middle_name: str | None = None
    calling_name: str | None = None  # tilltalsnamn, one of the given names
    address: Address = dataclasses.field(default_factory=Address)
    county_code: str | None = None
    municipality_code: str | None = None
    parish_code: str | None = None
    protected: bool = False  # sekretessmarkering (protectedPersonIndicator)
    protected_population_record: bool = False  # skyddad folkbokföring
    deceased: bool = False
    deceased_date: dt.date | None = None
    deregistration_code: str | None = None  # PU avregistreringsorsak, e.g. "AV" (avliden)
    optout_paper: bool = False  # PU optoutPaperNotification
    linked_identity: str | None = None  # reservnummer only: the main identity it is linked to (PU)
    account: Account = dataclasses.field(default_factory=Account)
    label: str | None = None  # demo persona, e.g. "Vuxen, digital"
    seeded: bool = False

    @property
    def is_protected(self) -> bool:
        return self.protected or self.protected_population_record

    @property
    def display_name(self) -> str:
        return f"{self.calling_name or self.given_name.split()[0]} {self.surname}"

    @property
    def given_names_marked(self) -> str:
        """Given names with ``/`` around the tilltalsnamn, as the user profile returns them."""
        if not self.calling_name:
            return self.given_name
        return " ".join(f"/{n}/" if n == self.calling_name else n for n in self.given_name.split())

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["deceased_date"] = self.deceased_date.isoformat() if self.deceased_date else None
        return data


_BOOL_FIELDS = ("protected", "protected_population_record", "deceased", "optout_paper", "seeded")
_STR_FIELDS = (
    "given_name",
    "surname",
    "middle_name",
    "calling_name",
    "county_code",
    "municipality_code",
    "parish_code",
    "deregistration_code",
    "label",
    "linked_identity",
)
_ACCOUNT_BOOLS = ("exists", "active", "sms_notification", "email_notification")
_MOBILE = re.compile(r"^\+?[0-9 -]{6,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_personnummer(value: Any, field: str = "personnummer") -> str:
    reason = personnummer_problem(value)
    if reason is not None:
        raise FieldError(field, reason)
    return value


def _check(data: dict, name: str, kind, prefix: str = "", nullable: bool = False, maxlen: int = 200):
    value = data[name]
    if value is None and nullable:
        return None
    if kind is bool and not isinstance(value, bool):
        raise FieldError(prefix + name, "must be true or false")
    if kind is str and (not isinstance(value, str) or len(value) > maxlen):
        raise FieldError(prefix + name, f"must be a string of at most {maxlen} characters")
    return value


def _merge_section(current, data: Any, field: str, bools: tuple, strings: tuple):
    if not isinstance(data, dict):
        raise FieldError(field, "must be an object")
    allowed = {f.name for f in dataclasses.fields(current)}
    unknown = set(data) - allowed
    if unknown:
        raise FieldError(f"{field}.{sorted(unknown)[0]}", "unknown field")
    for name in data:
        _check(data, name, bool if name in bools else str, f"{field}.", nullable=name not in bools)
    return dataclasses.replace(current, **data)


def apply_json(citizen: Citizen | None, data: Any) -> Citizen:
    """Create (citizen None) or update a citizen from control-API JSON; all or nothing."""
    if not isinstance(data, dict):
        raise FieldError("body", "must be a JSON object")
    allowed = {f.name for f in dataclasses.fields(Citizen)}
    unknown = set(data) - allowed
    if unknown:
        raise FieldError(sorted(unknown)[0], "unknown field")
    if citizen is None:
        for required in ("personnummer", "given_name", "surname"):
            if required not in data:
                raise FieldError(required, "is required")
        citizen = Citizen(personnummer=validate_personnummer(data["personnummer"]), given_name="", surname="")
    elif "personnummer" in data and data["personnummer"] != citizen.personnummer:
        raise FieldError("personnummer", "cannot be changed; delete and create instead")
    changes: dict[str, Any] = {}
    for name in data:
        if name in _BOOL_FIELDS:
            changes[name] = _check(data, name, bool)
        elif name in _STR_FIELDS:
            changes[name] = _check(data, name, str, nullable=name not in ("given_name", "surname"))
    for name in ("given_name", "surname"):
        if name in changes and not changes[name].strip():
            raise FieldError(name, "must not be empty")
    if "deceased_date" in data:
        changes["deceased_date"] = _date(data["deceased_date"], "deceased_date")
    if data.get("linked_identity") is not None:
        changes["linked_identity"] = validate_personnummer(data["linked_identity"], "linked_identity")
    if "address" in data:
        changes["address"] = _merge_section(citizen.address, data["address"], "address", (), ())
    if "account" in data:
        account = _merge_section(citizen.account, data["account"], "account", _ACCOUNT_BOOLS, ())
        if account.mobile and not _MOBILE.match(account.mobile):
            raise FieldError("account.mobile", "must be a phone number such as +46701234567")
        if account.email and not _EMAIL.match(account.email):
            raise FieldError("account.email", "must be an e-mail address")
        if account.active and not account.exists:
            raise FieldError("account.active", "cannot be true when account.exists is false")
        changes["account"] = account
    updated = dataclasses.replace(citizen, **changes)
    if updated.calling_name and updated.calling_name not in updated.given_name.split():
        raise FieldError("calling_name", "must be one of the given names")
    if updated.linked_identity and (
        not is_reservnummer(updated.personnummer) or is_reservnummer(updated.linked_identity)
    ):
        raise FieldError(
            "linked_identity", "only a reservnummer can be linked, and only to a personnummer or samordningsnummer"
        )
    return updated


def _date(value: Any, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise FieldError(field, "must be a date YYYY-MM-DD") from None
