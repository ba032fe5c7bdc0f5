"""How PU-tjänsten answers GetPersonsForProfile 5.0: which person record answers which
requested identity, and how much of it each profile shows (TKB v5.1 chapters 7 and 8).

Pure domain: no SOAP, no database. The answer is a tree of ``(element name, value)``
pairs in the schema's element order; :mod:`simulator.pu.soap` writes it as XML. The
producer rules of the contract, by number:

* #1 one answer per requested identity, in the order asked (duplicates included); an
  identity without a person record gets an answer without ``personRecord``;
* #2 a reservnummer linked to a main identity is answered with the main identity's
  record unless ``ignoreReferredIdentity`` is true;
* #3 a person with ``protectedPersonIndicator`` or ``protectedPopulationRecord`` (or
  whose linked main identity has one) is answered with profile P1 content only;
* at most 500 identities per call; more is a logical error, which this domain answers
  through a SOAP client fault (TKB 4.3.1.1), as are the reserved profiles P6-P10.

Every simulated person carries ``testIndicator=true``: consumers must be able to tell
test data from production data (rule #4).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Union

from simulator.population.domain import Citizen
from simulator.population.personnummer import (
    birth_date,
    gender,
    has_valid_check_digit,
    is_reservnummer,
    is_samordningsnummer,
)

# Identity kinds (IIType root), from the TKB's table of roots.
OID_PERSONNUMMER = "1.2.752.129.2.1.3.1"
OID_SAMORDNINGSNUMMER = "1.2.752.129.2.1.3.3"
OID_RESERVNUMMER = "1.2.752.74.9.1"  # national reserve identity (NRID)
MAX_IDENTITIES = 500
PROFILES = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5}
ASSURANCE_LEVEL_LINKED = "3"  # what a producer sets for a consumer-made link
DEREGISTERED_DECEASED = "AV"
GENDER_CODES = {"Male": "M", "Female": "K"}  # folkbokföringens kön: man / kvinna

Value = Union[str, bool, int, "list[Node]"]
Node = tuple[str, Value]


class RejectedLookup(ValueError):
    """A logical error in the request; ``field`` names the element."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclasses.dataclass(frozen=True)
class PersonId:
    root: str
    extension: str | None


@dataclasses.dataclass(frozen=True)
class Lookup:
    ids: tuple[PersonId, ...]
    profile: str
    ignore_referred_identity: bool


def identity_root(pnr: str) -> str:
    """The IIType root a consumer must send for this identity."""
    if is_reservnummer(pnr):
        return OID_RESERVNUMMER
    return OID_SAMORDNINGSNUMMER if is_samordningsnummer(pnr) else OID_PERSONNUMMER


def check(lookup: Lookup) -> int:
    """The profile level asked for; RejectedLookup for what the contract's rules forbid."""
    if len(lookup.ids) > MAX_IDENTITIES:
        raise RejectedLookup(
            "personId",
            f"at most {MAX_IDENTITIES} identities per request, got "
            f"{len(lookup.ids)} (GetPersonsForProfile 5.0, Maxantal 500)",
        )
    if lookup.profile not in PROFILES:
        raise RejectedLookup("profile", f"{lookup.profile} is reserved for future use; ask for P1-P5")
    return PROFILES[lookup.profile]


def matches(pid: PersonId) -> str | None:
    """The identity to look up, if the root is the right kind for the extension. A
    reservnummer may carry any root but the personnummer/samordningsnummer ones: regional
    reserve identities each have their region's OID."""
    pnr = (pid.extension or "").strip()
    if is_reservnummer(pnr):
        return pnr if pid.root not in (OID_PERSONNUMMER, OID_SAMORDNINGSNUMMER) else None
    if has_valid_check_digit(pnr) and pid.root == identity_root(pnr):
        return pnr
    return None


def answer(lookup: Lookup, find: Callable[[list[str]], dict[str, Citizen]]) -> list[list[Node]]:
    """The content of one ``requestedPersonRecord`` per requested identity, in order.
    ``find(personnummer list) -> {personnummer: Citizen}`` reads the population."""
    level = check(lookup)
    people = find(sorted({m for m in map(matches, lookup.ids) if m}))
    main = {c.linked_identity for c in people.values() if c.linked_identity} - people.keys()
    if main:
        people = {**people, **find(sorted(main))}
    return [requested_record(pid, people, level, lookup.ignore_referred_identity) for pid in lookup.ids]


def requested_record(pid: PersonId, people: dict[str, Citizen], level: int, ignore_referred: bool) -> list[Node]:
    nodes: list[Node] = [("requestedPersonalIdentity", _ii(pid.root, pid.extension))]
    found = people.get(matches(pid) or "")
    if found is None:
        return nodes
    main = people.get(found.linked_identity or "")
    if main is not None and not ignore_referred:
        found, main = main, None
    protected = found.is_protected or (main is not None and main.is_protected)
    nodes.append(("personRecord", person_record(found, 1 if protected else level)))
    return nodes


def person_record(citizen: Citizen, level: int) -> list[Node]:
    """The person record as profile ``level`` shows it (TKB chapter 8), in schema order."""
    pnr = citizen.personnummer
    sections: list[tuple[str, Value | None]] = [
        ("personalIdentity", _ii(identity_root(pnr), pnr)),
        ("gender", None if is_reservnummer(pnr) else GENDER_CODES.get(gender(pnr) or "")),
        ("protectedPersonIndicator", citizen.protected),
        ("testIndicator", True),
        ("primaryIdentity", citizen.linked_identity is None),
        ("name", _name(citizen)),
        ("linkedIdentity", _linked(citizen)),
        ("birth", _birth(citizen, level)),
        ("populationRegistrationLocality", _locality(citizen, level)),
        ("populationRegistrationRecord", [("historicalRecords", [])] if level >= 5 else None),
        ("addressInformation", _address(citizen) if level >= 2 else None),
        *(("contactInformation", c) for c in (_contacts(citizen) if level >= 3 else [])),
        ("deregistration", _deregistration(citizen)),
        ("coOrdinationNumberData", _coordination(citizen)),
        ("personalIdentityStatus", _identity_status(citizen)),
        ("optoutPaperNotification", citizen.optout_paper if level >= 3 else None),
        ("protectedPopulationRecord", citizen.protected_population_record),
    ]
    return [(name, value) for name, value in sections if value is not None]


def _ii(root: str, extension: str | None) -> list[Node]:
    return [("root", root)] + ([("extension", extension)] if extension is not None else [])


def _date(day: dt.date) -> list[Node]:
    return [("format", "YYYY-MM-DD"), ("value", day.isoformat())]


def _clip(text: str | None, limit: int) -> str | None:
    """Values the control API accepts may be longer than the contract's String40/80."""
    return text[:limit] if text else None


def _name(c: Citizen) -> list[Node]:
    given = c.given_name.split()
    indicator = (given.index(c.calling_name) + 1) * 10 if c.calling_name in given[:9] else None
    full = " ".join(p for p in (c.given_name, c.middle_name, c.surname) if p)
    short = f"{c.calling_name or given[0]} {c.surname}" if len(full) > 36 and given else None
    parts = [
        ("givenNameIndicator", indicator),
        ("givenName", _clip(c.given_name, 80)),
        ("middleName", _clip(c.middle_name, 80)),
        ("surname", _clip(c.surname, 80)),
        ("notificationName", _clip(short, 40)),
    ]
    return [(k, v) for k, v in parts if v is not None]


def _linked(c: Citizen) -> list[Node] | None:
    if not c.linked_identity:
        return None
    return [
        ("referredPersonalIdentity", _ii(identity_root(c.linked_identity), c.linked_identity)),
        ("assuranceLevel", ASSURANCE_LEVEL_LINKED),
        ("primaryIdentity", True),
    ]


def _birth(c: Citizen, level: int) -> list[Node] | None:
    born = birth_date(c.personnummer)
    if born is None:
        return None
    nodes: list[Node] = [("dateOfBirth", _date(born))]
    registered = not is_reservnummer(c.personnummer) and not is_samordningsnummer(c.personnummer)
    if level >= 4 and registered and c.county_code:
        nodes.append(("placeOfBirthSweden", [("birthCountyCode", c.county_code[:2])]))
    return nodes


def _locality(c: Citizen, level: int) -> list[Node] | None:
    """Only folkbokförda (personnummer) persons have a registration locality; P1 shows
    just the county."""
    if is_reservnummer(c.personnummer) or is_samordningsnummer(c.personnummer):
        return None
    codes = [("countyCode", c.county_code)]
    if level >= 2:
        codes += [("municipalityCode", c.municipality_code), ("parishCode", c.parish_code)]
    nodes = [(k, v[:2]) for k, v in codes if v]
    return nodes or None


def _address(c: Citizen) -> list[Node] | None:
    a = c.address
    postal = a.postal_code.replace(" ", "")
    parts = [
        ("careOf", _clip(a.care_of, 40)),
        ("postalAddress1", _clip(a.street, 40)),
        ("postalCode", int(postal) if postal.isdigit() and len(postal) <= 5 else None),
        ("city", _clip(a.city, 40)),
    ]
    nodes = [(k, v) for k, v in parts if v is not None]
    return [("residentialAddress", nodes)] if nodes else None


def _contacts(c: Citizen) -> list[list[Node]]:
    """The person's own contact details; digitalNotification mirrors the notification
    settings (SMS for the mobile number, e-mail for the address)."""
    a = c.account
    found = [
        ("tel", "mobile", a.mobile, a.sms_notification),
        ("tel", "home", a.phone, None),
        ("mail", None, a.email, a.email_notification),
    ]
    contacts = []
    for kind, use, value, notify in found:
        if value:
            nodes = [("contactType", kind)] + ([("use", use)] if use else []) + [("value", value)]
            contacts.append(nodes + ([("digitalNotification", notify)] if notify is not None else []))
    return contacts


def _deregistration(c: Citizen) -> list[Node] | None:
    code = c.deregistration_code or (DEREGISTERED_DECEASED if c.deceased else None)
    if code is None:
        return None
    nodes: list[Node] = [("deregistrationReasonCode", code[:40])]
    if c.deceased_date:
        nodes.append(("deregistrationDate", _date(c.deceased_date)))
    return nodes


def _coordination(c: Citizen) -> list[Node] | None:
    if not is_samordningsnummer(c.personnummer) or not (c.deceased and c.deceased_date):
        return None
    return [("deceasedDate", _date(c.deceased_date))]


def _identity_status(c: Citizen) -> list[Node] | None:
    """Only samordningsnummer carry a status."""
    if not is_samordningsnummer(c.personnummer):
        return None
    if c.deceased or c.deregistration_code:
        return [("identityStatus", "AVREGISTRERAT")] + ([("identityStatusCause", "AVLIDEN")] if c.deceased else [])
    return [("identityStatus", "AKTIVT")]
