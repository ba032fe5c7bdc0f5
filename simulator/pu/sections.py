"""The groups of a PU person record beyond identity and name, each as the contract's
element tree (TKB v5.1 chapter 6 types, in the schema's element order). Which profile
shows which group is decided in :func:`simulator.pu.domain.person_record`; these
functions only say what a group holds for a citizen, or None when it has nothing.

Pure domain, like :mod:`simulator.pu.domain`: ``Node`` trees, no XML.
"""

from __future__ import annotations

import datetime as dt
from typing import Union

from simulator.errors import FieldError
from simulator.population.domain import MINOR_AGE, Address, Citizen
from simulator.population.personnummer import birth_date, is_reservnummer, is_samordningsnummer
from simulator.population.register import RELATIONSHIP_CODES, ContactPerson, PostalAddress, RelationKind, e164

Value = Union[str, bool, int, "list[Node]"]
Node = tuple[str, Value]

OID_PERSONNUMMER = "1.2.752.129.2.1.3.1"
OID_SAMORDNINGSNUMMER = "1.2.752.129.2.1.3.3"
OID_RESERVNUMMER = "1.2.752.74.9.1"  # national reserve identity (NRID)
OID_HSA_ID = "1.2.752.29.6.2.1"  # an actor's HSA-id (TKB 6.1.1)


def identity_root(pnr: str) -> str:
    """The IIType root of this identity's kind."""
    if is_reservnummer(pnr):
        return OID_RESERVNUMMER
    return OID_SAMORDNINGSNUMMER if is_samordningsnummer(pnr) else OID_PERSONNUMMER


def ii(root: str, extension: str | None) -> list[Node]:
    nodes: list[Node] = [("root", root)]
    return nodes + ([("extension", extension)] if extension is not None else [])


def person_ii(pnr: str) -> list[Node]:
    return ii(identity_root(pnr), pnr)


def partial_date(day: dt.date) -> list[Node]:
    return [("format", "YYYY-MM-DD"), ("value", day.isoformat())]


def timestamp(moment: dt.datetime) -> str:
    """TKB 6.1.60 Timestamp: YYYYMMDDhhmmss in Swedish time."""
    return moment.strftime("%Y%m%d%H%M%S")


def clip(text: str | None, limit: int) -> str | None:
    """Values the control API accepts may be longer than the contract's String40/80."""
    return text[:limit] if text else None


def present(parts: list[tuple[str, Value | None]]) -> list[Node]:
    return [(name, value) for name, value in parts if value is not None]


def phone(value: str) -> str:
    """TKB 6.1.12: E.164. The control API stores numbers normalised; a row written before
    that is normalised here, and one that cannot be is shown as stored."""
    try:
        return e164(value, "value")
    except FieldError:
        return value


def residential(address: Address | PostalAddress | None) -> list[Node] | None:
    """ResidentialAddressType; None when nothing is known."""
    if address is None:
        return None
    postal = (address.postal_code or "").replace(" ", "")
    nodes = present(
        [
            ("careOf", clip(address.care_of, 40)),
            ("postalAddress1", clip(address.street, 40)),
            ("postalCode", int(postal) if postal.isdigit() and len(postal) <= 5 else None),
            ("city", clip(address.city, 40)),
        ]
    )
    return nodes or None


def referred_identities(c: Citizen) -> list[Node]:
    """P1: the other numbers of a person who changed personnummer (TKB 6.1.28)."""
    return [
        (
            "referredPersonalIdentities",
            [("referredPersonalIdentity", person_ii(r.personnummer)), ("referredPersonalIdentityStatus", r.status)],
        )
        for r in c.referred_identities
    ]


def address_groups(c: Citizen, residential_nodes: list[Node] | None) -> list[Node] | None:
    """P2 ``addressInformation``: folkbokföring, district, special and foreign addresses."""
    abroad = c.address_abroad
    abroad_nodes = None
    if abroad is not None:
        lines = [(f"postalAddress{i + 1}", clip(line, 40)) for i, line in enumerate(abroad.lines[:3])]
        abroad_nodes = present(
            [
                *lines,
                ("countryCode", clip(abroad.country, 40)),
                ("addressAbroadDate", partial_date(abroad.since) if abroad.since else None),
            ]
        )
    nodes = present(
        [
            ("residentialAddress", residential_nodes),
            ("district", [("districtCode", c.district_code)] if c.district_code else None),
            ("specialPostalAddress", residential(c.special_address)),
            ("addressAbroad", abroad_nodes or None),
        ]
    )
    return nodes or None


def _contact(kind: str, use: str | None, value: str, notify: bool | None, rank: int | None = None) -> list[Node]:
    return present(
        [("contactType", kind), ("use", use), ("value", value), ("rank", rank), ("digitalNotification", notify)]
    )


def contact_information(c: Citizen) -> list[Node]:
    """P3: the person's own contact details; digitalNotification mirrors the notification
    settings (SMS for the mobile number, e-mail for the address)."""
    a = c.account
    found = [
        ("tel", "mobile", phone(a.mobile) if a.mobile else None, a.sms_notification),
        ("tel", "home", phone(a.phone) if a.phone else None, None),
        ("mail", None, a.email, a.email_notification),
    ]
    return [("contactInformation", _contact(k, u, v, n)) for k, u, v, n in found if v]


def contact_persons(c: Citizen) -> list[Node]:
    """P3: the contact persons the citizen named, in their priority order."""
    return [("contactPerson", _contact_person(p, i + 1)) for i, p in enumerate(c.contact_persons)]


def _contact_person(p: ContactPerson, priority: int) -> list[Node]:
    reach = [("contactPersonContactInformation", _contact("tel", "mobile", phone(p.phone), None))] if p.phone else []
    if p.email:
        reach.append(("contactPersonContactInformation", _contact("mail", None, p.email, None)))
    return (
        present(
            [
                ("contactRelationshipType", p.relationship),
                ("priorityOrder", priority),
                ("givenName", clip(p.given_name, 80)),
                ("surName", clip(p.surname, 80)),
                ("contactPersonAddress", residential(p.address)),
            ]
        )
        + reach
    )


def confirmed_identity(c: Citizen) -> list[Node] | None:
    """P2, reserve identities: the identity document that confirmed the person."""
    doc = c.confirmed_identity
    if doc is None:
        return None
    return present(
        [
            ("typeOfIdentification", doc.document),
            ("identificationNumber", doc.number),
            ("issuersOfId", doc.issuer),
            ("validDatePeriod", [("end", doc.valid_until.isoformat())] if doc.valid_until else None),
            ("countryCode", doc.country),
        ]
    )


def administrative(c: Citizen) -> list[Node] | None:
    a = c.administrative
    if a is None:
        return None
    return present([("categoryOfPerson", a.category), ("accountCode", a.account_code), ("comment", a.comment)]) or None


def birth(c: Citizen, level: int) -> list[Node] | None:
    """P1 the date; P4 the place: in Sweden (the county) or abroad."""
    born = birth_date(c.personnummer)
    if born is None:
        return None
    nodes: list[Node] = [("dateOfBirth", partial_date(born))]
    registered = not is_reservnummer(c.personnummer) and not is_samordningsnummer(c.personnummer)
    if level >= 4 and c.birth_abroad is not None:
        abroad = present(
            [
                ("placeOfBirthAbroad", clip(c.birth_abroad.place, 80)),
                ("countryOfBirth", clip(c.birth_abroad.country, 40)),
            ]
        )
        nodes.append(("birthAbroad", abroad))
    elif level >= 4 and registered and c.county_code:
        nodes.append(("placeOfBirthSweden", [("birthCountyCode", c.county_code[:2])]))
    return nodes


def locality(
    county: str | None, municipality: str | None, parish: str | None, since: dt.date | None, full: bool
) -> list[Node] | None:
    """PopulationRegistrationLocalityType; ``full`` false: the county only (P1)."""
    parts: list[tuple[str, Value | None]] = [
        ("populationRegistrationDate", partial_date(since) if since and full else None),
        ("countyCode", county[:2] if county else None),
    ]
    if full:
        parts += [
            ("municipalityCode", municipality[-2:] if municipality else None),  # within the county
            ("parishCode", parish[-2:] if parish else None),
        ]
    return present(parts) or None


def history(c: Citizen) -> list[Node]:
    """P5 ``historicalRecords``: earlier registrations and the previous address. The
    contract's HistoricalRecordsType has no element for earlier names."""
    earlier = [
        locality(r.county_code, r.municipality_code, r.parish_code, r.since, full=True)
        for r in c.previous_registrations
    ]
    nodes: list[Node] = [("populationRegistrationLocality", e) for e in earlier if e]
    previous = residential(c.previous_address)
    return nodes + ([("historicalAddress", previous)] if previous else [])


def marital_status(c: Citizen) -> list[Node] | None:
    m = c.marital_status
    if m is None:
        return None
    return present([("maritalStatusCode", m.code), ("maritalStatusDate", partial_date(m.since) if m.since else None)])


def immigration(c: Citizen) -> list[Node] | None:
    i = c.immigration
    if i is None:
        return None
    ids: list[Node] = [
        ("immigrationIdentity", [("personalIdentityNumber", n.number), ("country", n.country)]) for n in i.nordic_ids
    ]
    head = present(
        [
            ("immigrationDate", partial_date(i.date) if i.date else None),
            ("rightOfResidence", i.right_of_residence),
        ]
    )
    return head + ids or None


def citizenships(c: Citizen) -> list[Node]:
    return [
        (
            "citizenship",
            present(
                [
                    ("citizenshipCountryCode", s.country),
                    ("citizenshipDate", partial_date(s.since) if s.since else None),
                ]
            ),
        )
        for s in c.citizenships
    ]


def relationships(c: Citizen, people: dict[str, Citizen], today: dt.date | None) -> list[Node]:
    """P4 ``relationship``: guardians, children, spouse. The related person's name and
    deregistration come from their own record when the population has it (and it is not
    protected); custody ends on the child's 18th birthday (relationshipToDate)."""
    nodes: list[Node] = []
    for relation in c.relations:
        other = people.get(relation.personnummer)
        shown = other if other is not None and not other.is_protected else None
        ended = _custody_end(c, relation.kind, relation.personnummer, today)
        nodes.append(
            (
                "relationship",
                present(
                    [
                        ("relationshipId", [("personalIdentity", person_ii(relation.personnummer))]),
                        ("relationshipType", RELATIONSHIP_CODES[relation.kind]),
                        ("relationshipFromDate", partial_date(relation.since) if relation.since else None),
                        ("relationshipToDate", partial_date(ended) if ended else None),
                        ("name", name(shown) if shown else None),
                        ("deregistration", deregistration(shown) if shown else None),
                    ]
                ),
            )
        )
    return nodes


def _custody_end(c: Citizen, kind: RelationKind, other: str, today: dt.date | None) -> dt.date | None:
    child = {RelationKind.GUARDIAN: c.personnummer, RelationKind.CHILD: other}.get(kind)
    born = birth_date(child) if child else None
    if born is None or today is None:
        return None
    try:
        end = born.replace(year=born.year + MINOR_AGE)
    except ValueError:  # born 29 February
        end = dt.date(born.year + MINOR_AGE, 3, 1)
    return end if end <= today else None


def name(c: Citizen) -> list[Node]:
    """NameType: givenNameIndicator is the tilltalsnamn's position x 10; a name longer
    than 36 characters gets a notificationName."""
    given = c.given_name.split()
    indicator = (given.index(c.calling_name) + 1) * 10 if c.calling_name in given[:9] else None
    full = " ".join(p for p in (c.given_name, c.middle_name, c.surname) if p)
    short = f"{c.calling_name or given[0]} {c.surname}" if len(full) > 36 and given else None
    return present(
        [
            ("givenNameIndicator", indicator),
            ("givenName", clip(c.given_name, 80)),
            ("middleName", clip(c.middle_name, 80)),
            ("surname", clip(c.surname, 80)),
            ("notificationName", clip(short, 40)),
        ]
    )


DEREGISTERED_DECEASED = "AV"


def deregistration(c: Citizen) -> list[Node] | None:
    code = c.deregistration_code or (DEREGISTERED_DECEASED if c.deceased else None)
    if code is None:
        return None
    nodes: list[Node] = [("deregistrationReasonCode", code[:40])]
    if c.deceased_date:
        nodes.append(("deregistrationDate", partial_date(c.deceased_date)))
    return nodes


def actor(root: str, extension: str, when: dt.datetime | None) -> list[Node]:
    """ActorType: who last updated; ``updateTime`` when the record says."""
    return [("id", ii(root, extension))] + ([("updateTime", timestamp(when))] if when else [])
