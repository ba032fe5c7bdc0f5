"""A simulated citizen as the three services see them, and the validation of the JSON
form that the control API accepts (errors name the field).

The register attributes beyond name and address (relations, marital status, earlier
identities, ...) are the types of :mod:`simulator.population.register`; their JSON form
is documented in docs/population.md."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
import uuid
from typing import Any

from simulator.errors import FieldError
from simulator.population import places, register
from simulator.population.personnummer import (
    age_on,
    is_reservnummer,
    is_samordningsnummer,
)
from simulator.population.personnummer import problem as personnummer_problem
from simulator.population.register import (
    AddressAbroad,
    Administrative,
    BirthAbroad,
    Citizenship,
    ConfirmedIdentity,
    ContactPerson,
    Immigration,
    MaritalStatus,
    PostalAddress,
    ReferredIdentity,
    Registration,
    Relation,
    RelationKind,
)

MINOR_AGE = 18  # vårdnad ends at 18 (Föräldrabalken 6:2)


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
    # The register attributes PU shows from P2/P4/P5 (docs/population.md has the JSON form).
    relations: list[Relation] = dataclasses.field(default_factory=list)
    marital_status: MaritalStatus | None = None
    citizenships: list[Citizenship] = dataclasses.field(default_factory=list)
    immigration: Immigration | None = None
    birth_abroad: BirthAbroad | None = None
    registered_since: dt.date | None = None  # folkbokföringsdatum of the current registration
    district_code: str | None = None  # distriktskod, up to 6 characters
    special_address: PostalAddress | None = None  # särskild postadress
    address_abroad: AddressAbroad | None = None  # utlandsadress
    previous_address: PostalAddress | None = None  # the address before the current one
    previous_registrations: list[Registration] = dataclasses.field(default_factory=list)
    referred_identities: list[ReferredIdentity] = dataclasses.field(default_factory=list)  # changed numbers
    identity_level: str | None = None  # samordningsnummer: STYRKT, SANNOLIK, OSAKER, INTE_TILLAMPLIG
    contact_persons: list[ContactPerson] = dataclasses.field(default_factory=list)
    confirmed_identity: ConfirmedIdentity | None = None  # reservnummer: the document shown
    administrative: Administrative | None = None  # reservnummer: administrative notes
    registered_by: str | None = None  # reservnummer: HSA-id of the unit that last updated it
    updated_at: dt.datetime | None = None  # when the record last changed (PU version); set by the seed

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

    def register_codes(self, full: bool) -> tuple[str | None, str | None, str | None]:
        """(county, municipality, parish). Stored as given: the municipality as its two
        digits within the county (PU's String2, ``80``) or in full (SCB's ``0680``), the
        parish likewise (``01`` or ``068001``). ``full``: SCB's full codes, as the 1177
        user profile returns them; otherwise PU's two-character forms."""
        county, municipality, parish = self.county_code, self.municipality_code, self.parish_code
        if not full:
            return county, municipality[-2:] if municipality else None, parish[-2:] if parish else None
        if county and municipality and len(municipality) == 2:
            municipality = county + municipality
        if municipality and parish and len(parish) == 2:
            parish = municipality + parish
        return county, municipality, parish

    @property
    def object_id(self) -> str:
        return object_id_of(self.personnummer)

    def related(self, kind: RelationKind) -> list[str]:
        return [r.personnummer for r in self.relations if r.kind == kind]

    def is_minor(self, today: dt.date) -> bool:
        age = age_on(self.personnummer, today)
        return age is not None and age < MINOR_AGE

    @property
    def replaced_by(self) -> str | None:
        """The new personnummer of a person who changed number (this one is the old)."""
        return next((r.personnummer for r in self.referred_identities if r.status == "NY"), None)

    def to_json(self) -> dict[str, Any]:
        data = {f.name: register.to_json(getattr(self, f.name)) for f in dataclasses.fields(self)}
        data["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        data["object_id"] = self.object_id
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citizen:
        """A stored citizen (the citizens table); members it does not know are skipped."""
        raw = {k: v for k, v in data.items() if k in _FIELD_NAMES}
        raw["address"] = Address(**raw.get("address") or {})
        raw["account"] = Account(**raw.get("account") or {})
        if raw.get("updated_at"):
            raw["updated_at"] = dt.datetime.fromisoformat(raw["updated_at"])
        for name in (*_REGISTER_FIELDS, "deceased_date"):
            if name in raw:
                raw[name] = register.read(_HINTS[name], raw[name], name)
        return cls(**raw)


OBJECT_ID_NAMESPACE = uuid.UUID("4d1c9a55-1177-4b1e-9a3e-6b616c6c656c")


def object_id_of(personnummer: str) -> str:
    """The anonymised id 1177 gives a citizen for an agent to act on
    (GetUserProfileByAgent ``objectId``): a name-based UUID, stable, not the number."""
    return str(uuid.uuid5(OBJECT_ID_NAMESPACE, personnummer))


_HINTS = typing.get_type_hints(Citizen)
_FIELD_NAMES = frozenset(_HINTS)
# Read by the register reader: whole values, replaced (not merged) by a PATCH.
_REGISTER_FIELDS = (
    "relations",
    "marital_status",
    "citizenships",
    "immigration",
    "birth_abroad",
    "registered_since",
    "special_address",
    "address_abroad",
    "previous_address",
    "previous_registrations",
    "referred_identities",
    "contact_persons",
    "confirmed_identity",
    "administrative",
)
_READ_ONLY = {"object_id": "is derived from the personnummer", "updated_at": "is set by the seed"}
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
    "district_code",
    "identity_level",
    "registered_by",
)
_ACCOUNT_BOOLS = ("exists", "active", "sms_notification", "email_notification")
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
    for name, why in _READ_ONLY.items():
        if name in data:
            raise FieldError(name, f"is read-only: it {why}")
    unknown = set(data) - _FIELD_NAMES
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
        elif name in _REGISTER_FIELDS:
            changes[name] = register.read(_HINTS[name], data[name], name)
    for name in ("given_name", "surname"):
        if name in changes and not changes[name].strip():
            raise FieldError(name, "must not be empty")
    if "deceased_date" in data:
        changes["deceased_date"] = _date(data["deceased_date"], "deceased_date")
    if data.get("linked_identity") is not None:
        changes["linked_identity"] = validate_personnummer(data["linked_identity"], "linked_identity")
    if "address" in data:
        changes["address"] = _merge_section(citizen.address, data["address"], "address", (), ())
        changes.update(_codes_for(citizen, changes["address"], data))
    if "account" in data:
        changes["account"] = _account(citizen.account, data["account"])
    if "contact_persons" in data:
        changes["contact_persons"] = [_contact_person(c, i) for i, c in enumerate(changes["contact_persons"])]
    updated = dataclasses.replace(citizen, **changes)
    _check_consistency(updated)
    return updated


def _account(current: Account, data: Any) -> Account:
    account = _merge_section(current, data, "account", _ACCOUNT_BOOLS, ())
    if account.email and not _EMAIL.match(account.email):
        raise FieldError("account.email", "must be an e-mail address")
    if account.active and not account.exists:
        raise FieldError("account.active", "cannot be true when account.exists is false")
    # TKB PU 6.1.12: phone numbers are E.164; normalised here, at the door.
    return dataclasses.replace(
        account,
        mobile=register.e164(account.mobile, "account.mobile") if account.mobile else account.mobile,
        phone=register.e164(account.phone, "account.phone") if account.phone else account.phone,
    )


def _contact_person(person: ContactPerson, index: int) -> ContactPerson:
    field = f"contact_persons[{index}]"
    if person.email and not _EMAIL.match(person.email):
        raise FieldError(f"{field}.email", "must be an e-mail address")
    phone = register.e164(person.phone, f"{field}.phone") if person.phone else None
    return dataclasses.replace(person, phone=phone)


def _codes_for(citizen: Citizen, address: Address, data: dict) -> dict[str, str | None]:
    """County, municipality and parish from the address's town (places.TOWNS) when the
    body does not give them; the parish stays when the town does not change."""
    town = places.town_of(address.postal_code, address.city)
    derived = {
        "county_code": town.county if town else None,
        "municipality_code": town.municipality if town else None,
    }
    same_town = (citizen.county_code, citizen.municipality_code) == tuple(derived.values())
    derived["parish_code"] = citizen.parish_code if same_town and citizen.parish_code else None
    if town and not derived["parish_code"]:
        derived["parish_code"] = places.DEFAULT_PARISH
    return {name: value for name, value in derived.items() if name not in data}


def _check_consistency(updated: Citizen) -> None:
    """Rules across fields, each naming the field it is about."""
    if updated.calling_name and updated.calling_name not in updated.given_name.split():
        raise FieldError("calling_name", "must be one of the given names")
    if updated.linked_identity and (
        not is_reservnummer(updated.personnummer) or is_reservnummer(updated.linked_identity)
    ):
        raise FieldError(
            "linked_identity", "only a reservnummer can be linked, and only to a personnummer or samordningsnummer"
        )
    for i, relation in enumerate(updated.relations):
        validate_personnummer(relation.personnummer, f"relations[{i}].personnummer")
        if relation.personnummer == updated.personnummer:
            raise FieldError(f"relations[{i}].personnummer", "a citizen cannot be related to themselves")
    for i, referred in enumerate(updated.referred_identities):
        field = f"referred_identities[{i}].personnummer"
        validate_personnummer(referred.personnummer, field)
        if is_reservnummer(referred.personnummer) or is_reservnummer(updated.personnummer):
            raise FieldError(field, "only personnummer and samordningsnummer refer to each other (use linked_identity)")
    if updated.identity_level is not None:
        if updated.identity_level not in register.IDENTITY_LEVELS:
            raise FieldError("identity_level", f"must be one of {', '.join(register.IDENTITY_LEVELS)}")
        if not is_samordningsnummer(updated.personnummer):
            raise FieldError("identity_level", "is given for samordningsnummer only (TKB 6.1.39)")
    if updated.district_code is not None and len(updated.district_code) > 6:
        raise FieldError("district_code", "must be at most 6 characters (DistrictCode)")
    for name in ("confirmed_identity", "administrative", "registered_by"):
        if getattr(updated, name) is not None and not is_reservnummer(updated.personnummer):
            raise FieldError(name, "belongs to a reserve identity only (TKB chapter 8, rows marked *)")


def _date(value: Any, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise FieldError(field, "must be a date YYYY-MM-DD") from None
