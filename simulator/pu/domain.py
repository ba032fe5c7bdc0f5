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

Which group each profile shows is chapter 8's table, in :func:`person_record`; what a
group holds for a citizen is :mod:`simulator.pu.sections`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from simulator.population.domain import Citizen
from simulator.population.personnummer import gender, has_valid_check_digit, is_reservnummer, is_samordningsnummer
from simulator.pu import sections
from simulator.pu.sections import (
    OID_HSA_ID,
    OID_PERSONNUMMER,
    OID_RESERVNUMMER,
    OID_SAMORDNINGSNUMMER,
    Node,
    Value,
    identity_root,
    ii,
    partial_date,
    person_ii,
)

__all__ = ["OID_PERSONNUMMER", "OID_RESERVNUMMER", "OID_SAMORDNINGSNUMMER", "Node", "Value", "identity_root"]

MAX_IDENTITIES = 500
PROFILES = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5}
ASSURANCE_LEVEL_LINKED = "3"  # what a producer sets for a consumer-made link
GENDER_CODES = {"Male": "M", "Female": "K"}  # folkbokföringens kön: man / kvinna


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
    return pnr if accepts(identity_kind(pnr), pid.root) else None


IdentityKind = tuple[bool, str | None]


def identity_kind(pnr: str) -> IdentityKind:
    """(is a reservnummer, the root a personnummer/samordningsnummer must be asked under;
    None: a number with a wrong check digit, never matched). A function of the number
    alone, so a reader may work it out once per stored person (:mod:`simulator.pu.records`)."""
    if is_reservnummer(pnr):
        return True, None
    return False, identity_root(pnr) if has_valid_check_digit(pnr) else None


def accepts(kind: IdentityKind, root: str) -> bool:
    reserve, wanted = kind
    if reserve:
        return root not in (OID_PERSONNUMMER, OID_SAMORDNINGSNUMMER)
    return wanted is not None and root == wanted


def answer(
    lookup: Lookup,
    find: Callable[[list[str]], dict[str, Citizen]],
    today: dt.date | None = None,
    linked_to: Callable[[list[str]], dict[str, list[str]]] | None = None,
) -> list[list[Node]]:
    """The content of one ``requestedPersonRecord`` per requested identity, in order.
    ``find(personnummer list) -> {personnummer: Citizen}`` reads the population; the
    main identities of linked reservnummer and, from P4, the related persons (for their
    names) are read too. ``linked_to(main identities) -> {main: [reservnummer]}`` lets a
    main identity's record name the reserve identities linked to it. ``today`` (the
    simulator clock's date) ends custody at 18."""
    level = check(lookup)
    people = find(sorted({m for m in map(matches, lookup.ids) if m}))
    main = {c.linked_identity for c in people.values() if c.linked_identity} - people.keys()
    if main:
        people = {**people, **find(sorted(main))}
    if level >= 4:
        related = {r.personnummer for c in people.values() for r in c.relations} - people.keys()
        if related:
            people = {**people, **find(sorted(related))}
    reserves = linked_to(sorted(people)) if linked_to else {}
    return [
        requested_record(pid, people, level, lookup.ignore_referred_identity, today, reserves) for pid in lookup.ids
    ]


def requested_record(
    pid: PersonId,
    people: dict[str, Citizen],
    level: int,
    ignore_referred: bool,
    today: dt.date | None = None,
    reserves: dict[str, list[str]] | None = None,
) -> list[Node]:
    nodes: list[Node] = [("requestedPersonalIdentity", ii(pid.root, pid.extension))]
    found = people.get(matches(pid) or "")
    if found is None:
        return nodes
    main = people.get(found.linked_identity or "")
    use_main, shown_level = record_choice(found, main, level, ignore_referred)
    if use_main and main is not None:
        found = main
    linked_from = (reserves or {}).get(found.personnummer, [])
    nodes.append(("personRecord", person_record(found, shown_level, people, today, linked_from)))
    return nodes


def record_choice(found: Citizen, main: Citizen | None, level: int, ignore_referred: bool) -> tuple[bool, int]:
    """(answer with the main identity's record, the profile level shown) for a found
    identity and the main identity it is linked to: rules #2 and #3."""
    if main is not None and not ignore_referred:
        return True, 1 if main.is_protected else level
    protected = found.is_protected or (main is not None and main.is_protected)
    return False, 1 if protected else level


def person_record(
    citizen: Citizen,
    level: int,
    people: dict[str, Citizen] | None = None,
    today: dt.date | None = None,
    linked_from: list[str] | None = None,
) -> list[Node]:
    """The person record as profile ``level`` shows it (TKB chapter 8), in schema order.
    Rows marked (*) in chapter 8 (reserve identities only) are filled for reservnummer.
    ``linked_from``: the reservnummer linked to this (main) identity."""
    c, pnr = citizen, citizen.personnummer
    reserve = is_reservnummer(pnr)
    contacts = sections.contact_information(c) if level >= 3 else []
    groups: list[tuple[str, Value | None]] = [
        ("personalIdentity", person_ii(pnr)),
        ("identityLevel", c.identity_level),
        ("gender", None if reserve else GENDER_CODES.get(gender(pnr) or "")),
        ("protectedPersonIndicator", c.protected),
        ("testIndicator", True),
        ("primaryIdentity", c.linked_identity is None),
        ("version", sections.timestamp(c.updated_at) if c.updated_at else None),
        ("name", sections.name(c)),
        ("linkedIdentity", _linked(c)),
        *(("linkedIdentity", _linked_reserve(r)) for r in linked_from or []),
        *sections.referred_identities(c),
        ("birth", sections.birth(c, level)),
        ("populationRegistrationLocality", _locality(c, level)),
        ("populationRegistrationRecord", [("historicalRecords", sections.history(c))] if level >= 5 else None),
        ("addressInformation", sections.address_groups(c, _residential(c)) if level >= 2 else None),
        *contacts,
        *(sections.contact_persons(c) if level >= 3 else []),
        ("confirmedIdentity", sections.confirmed_identity(c) if level >= 2 and reserve else None),
        ("administrativeInformation", sections.administrative(c) if level >= 2 and reserve else None),
        ("deregistration", sections.deregistration(c)),
        ("maritalStatus", sections.marital_status(c) if level >= 4 else None),
        ("immigration", sections.immigration(c) if level >= 4 else None),
        *(sections.citizenships(c) if level >= 4 else []),
        *(sections.relationships(c, people or {}, today) if level >= 4 else []),
        ("coOrdinationNumberData", _coordination(c)),
        ("personalIdentityStatus", _identity_status(c)),
        ("updatePersonActor", _person_actor(c) if level >= 3 and reserve else None),
        ("updatePersonContactInformationActor", _contact_actor(c) if contacts else None),
        ("optoutPaperNotification", c.optout_paper if level >= 3 else None),
        ("protectedPopulationRecord", c.protected_population_record),
    ]
    return sections.present(groups)


def _linked(c: Citizen) -> list[Node] | None:
    if not c.linked_identity:
        return None
    return [
        ("referredPersonalIdentity", person_ii(c.linked_identity)),
        ("assuranceLevel", ASSURANCE_LEVEL_LINKED),
        ("primaryIdentity", True),
    ]


def _linked_reserve(reserve: str) -> list[Node]:
    """On a main identity: a reserve identity linked to it (which is not the main one)."""
    return [
        ("referredPersonalIdentity", person_ii(reserve)),
        ("assuranceLevel", ASSURANCE_LEVEL_LINKED),
        ("primaryIdentity", False),
    ]


def _locality(c: Citizen, level: int) -> list[Node] | None:
    """Only folkbokförda (personnummer) persons have a registration locality; P1 shows
    just the county."""
    if is_reservnummer(c.personnummer) or is_samordningsnummer(c.personnummer):
        return None
    return sections.locality(c.county_code, c.municipality_code, c.parish_code, c.registered_since, level >= 2)


def _residential(c: Citizen) -> list[Node] | None:
    return sections.residential(c.address)


def _coordination(c: Citizen) -> list[Node] | None:
    if not is_samordningsnummer(c.personnummer) or not (c.deceased and c.deceased_date):
        return None
    return [("deceasedDate", partial_date(c.deceased_date))]


def _identity_status(c: Citizen) -> list[Node] | None:
    """Only samordningsnummer carry a status; one replaced by a personnummer is
    AVREGISTRERAT with the cause ERSATT (TKB 6.1.50)."""
    if not is_samordningsnummer(c.personnummer):
        return None
    if c.replaced_by:
        return [("identityStatus", "AVREGISTRERAT"), ("identityStatusCause", "ERSATT")]
    status: list[Node] = [("identityStatus", "AKTIVT")]
    if c.deceased or c.deregistration_code:
        status = [("identityStatus", "AVREGISTRERAT")]
        status += [("identityStatusCause", "AVLIDEN")] if c.deceased else []
    return status


def _person_actor(c: Citizen) -> list[Node] | None:
    """Reserve identities: the care unit (HSA-id) that last updated the record."""
    return sections.actor(OID_HSA_ID, c.registered_by, c.updated_at) if c.registered_by else None


def _contact_actor(c: Citizen) -> list[Node]:
    """The contact details are the citizen's own (entered in 1177): the actor is the person."""
    return sections.actor(identity_root(c.personnummer), c.personnummer, c.updated_at)
