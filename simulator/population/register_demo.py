"""Demo persons for the register attributes PU-tjänsten shows from P2 to P5 and the 1177
user profile's family view: a family with guardians and children, a married couple, an
immigrant, changed identity numbers, a move with history, special and foreign
addresses, contact persons and a documented reserve identity (docs/population.md).

Every number is fixed (not placed relative to the clock date), so these records are the
same on every day; the younger child stays a minor until 2037. Numbers follow the seed's
fiction rules (birth numbers 970-999, valid check digits).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from simulator.population import places
from simulator.population.domain import Citizen
from simulator.population.personnummer import with_check_digit
from simulator.population.register import (
    AddressAbroad,
    Administrative,
    BirthAbroad,
    Citizenship,
    ConfirmedIdentity,
    ContactPerson,
    Immigration,
    MaritalStatus,
    NordicId,
    PostalAddress,
    ReferredIdentity,
    Registration,
    Relation,
    RelationKind,
)

JKPG, GBG = places.TOWNS[0], places.TOWNS[3]

SVEN = with_check_digit("19820412981")  # father, guardian, married to Sara
SARA = with_check_digit("19840903982")  # mother, guardian, married to Sven
SIXTEN = with_check_digit("20120830983")  # 14 on 2026-11-22, own 1177 account
SIRI = with_check_digit("20190321980")  # 7 on 2026-11-22, no account
OLA = with_check_digit("19790217983")  # immigrated from Norway
ALEX_OLD = with_check_digit("19901010987")  # changed personnummer: the old number
ALEX_NEW = with_check_digit("19901010988")  # ... and the new one
MIRA_SNR = with_check_digit("19930577986")  # samordningsnummer, replaced by the personnummer below
MIRA_PNR = with_check_digit("19930517986")
HANNA = with_check_digit("19960606984")  # moved from Göteborg to Jönköping

FAMILY_SINCE = dt.date(2010, 6, 12)
RESERVE_UNIT = "SE2321000065-7331"  # HSA-id of the care unit that issued Kim's reservnummer


def _fiction_mobile(n: int) -> str:
    return f"+4670174{n:04d}"


def _guardians(since: dt.date) -> list[Relation]:
    """Both parents have had custody since the child's birth."""
    return [Relation(SVEN, RelationKind.GUARDIAN, since), Relation(SARA, RelationKind.GUARDIAN, since)]


def _parent_of_both(spouse: str) -> dict:
    """Sven and Sara: married since 2010, guardians of both children since their birth."""
    return dict(
        marital_status=MaritalStatus("G", FAMILY_SINCE),
        citizenships=[Citizenship("SE")],
        relations=[
            Relation(spouse, RelationKind.SPOUSE, FAMILY_SINCE),
            Relation(SIXTEN, RelationKind.CHILD, dt.date(2012, 8, 30)),
            Relation(SIRI, RelationKind.CHILD, dt.date(2019, 3, 21)),
        ],
    )


def persons(add: Callable[..., None]) -> None:
    """Adds the register demo persons through the seed's ``add(pnr, given, surname,
    label, account kind, optout, town=..., **fields)``."""
    add(
        SVEN,
        "Sven Erik",
        "Svensson",
        "Vårdnadshavare för Sixten och Siri, gift med Sara (PU relationship, GetUserProfileByAgent)",
        "sms",
        True,
        calling_name="Sven",
        **_parent_of_both(spouse=SARA),
    )
    add(
        SARA,
        "Sara",
        "Svensson",
        "Vårdnadshavare med inaktivt konto, gift med Sven (PU relationship, GetUserProfileByAgent INFO)",
        "inactive",
        False,
        **_parent_of_both(spouse=SVEN),
    )
    add(
        SIXTEN,
        "Sixten",
        "Svensson",
        "14 år, eget 1177-konto och två vårdnadshavare (PU relationship, relatives; CH-03)",
        "sms",
        False,
        citizenships=[Citizenship("SE")],
        relations=_guardians(dt.date(2012, 8, 30)),
    )
    add(
        SIRI,
        "Siri",
        "Svensson",
        "Barn utan 1177-konto, två vårdnadshavare (PU relationship, relatives; CH-03)",
        "none",
        False,
        citizenships=[Citizenship("SE")],
        relations=_guardians(dt.date(2019, 3, 21)),
    )
    add(
        OLA,
        "Ola",
        "Nordmann",
        "Invandrad från Norge, norskt medborgarskap, kontaktperson (PU immigration, citizenship)",
        "email",
        False,
        registered_since=dt.date(2015, 8, 1),
        marital_status=MaritalStatus("OG"),
        citizenships=[Citizenship("NO", dt.date(1979, 2, 17))],
        immigration=Immigration(dt.date(2015, 8, 1), True, [NordicId("17027912345", "NO")]),
        birth_abroad=BirthAbroad("Oslo", "Norge"),
        contact_persons=[
            ContactPerson("Syster", "Kari", "Nordmann", _fiction_mobile(690), "kari.nordmann@example.com"),
        ],
    )
    _changed_numbers(add)
    add(
        HANNA,
        "Hanna",
        "Hedlund",
        "Flyttad från Göteborg, särskild postadress, historik (PU historicalRecords, specialPostalAddress)",
        "sms",
        True,
        registered_since=dt.date(2023, 4, 1),
        district_code="068001",
        special_address=PostalAddress("Studentvägen 4 lgh 1102", "41319", "Göteborg"),
        previous_address=PostalAddress("Linnégatan 12", "41304", "Göteborg"),
        previous_registrations=[Registration(dt.date(2015, 9, 1), GBG.county, GBG.municipality, "01")],
        marital_status=MaritalStatus("OG"),
        citizenships=[Citizenship("SE")],
        contact_persons=[ContactPerson("Förälder", "Maria", "Hedlund", _fiction_mobile(691))],
    )


def _changed_numbers(add: Callable[..., None]) -> None:
    """A changed personnummer (both records exist and refer to each other) and a
    samordningsnummer replaced by a personnummer (TKB 6.1.28, 6.1.50)."""
    add(
        ALEX_OLD,
        "Alex",
        "Berg",
        f"Tidigare personnummer, ersatt av {ALEX_NEW} (PU referredPersonalIdentities)",
        "none",
        False,
        referred_identities=[ReferredIdentity(ALEX_NEW, "NY")],
    )
    add(
        ALEX_NEW,
        "Alex",
        "Berg",
        f"Nytt personnummer, tidigare {ALEX_OLD} (PU referredPersonalIdentities)",
        "sms",
        True,
        referred_identities=[ReferredIdentity(ALEX_OLD, "AS")],
        citizenships=[Citizenship("SE")],
    )
    add(
        MIRA_SNR,
        "Mira",
        "Mendes",
        f"Samordningsnummer ersatt av personnummer {MIRA_PNR} (PU personalIdentityStatus ERSATT)",
        "none",
        False,
        town=GBG,
        identity_level="STYRKT",
        referred_identities=[ReferredIdentity(MIRA_PNR, "NY")],
    )
    add(
        MIRA_PNR,
        "Mira",
        "Mendes",
        f"Folkbokförd, tidigare samordningsnummer {MIRA_SNR} (PU referredPersonalIdentities, immigration)",
        "email",
        False,
        town=GBG,
        registered_since=dt.date(2021, 1, 15),
        referred_identities=[ReferredIdentity(MIRA_SNR, "AS")],
        citizenships=[Citizenship("PT", dt.date(1993, 5, 17))],
        immigration=Immigration(dt.date(2021, 1, 15), True),
        birth_abroad=BirthAbroad("Lissabon", "Portugal"),
        marital_status=MaritalStatus("OG"),
    )


# Details added to earlier demo persons without changing who they are.
_DETAILS: dict[str, dict] = {
    "19880606P962": dict(  # Kim Karlsson, reservnummer without a link
        confirmed_identity=ConfirmedIdentity(
            "PASS", "C01X00T47", "Bundesrepublik Deutschland", "DE", dt.date(2031, 5, 31)
        ),
        administrative=Administrative("TURIST", "EU", "EU-kort uppvisat"),
        registered_by=RESERVE_UNIT,
    ),
    "19700101T915": dict(registered_by=RESERVE_UNIT),  # Jonas Jansson's reservnummer
    with_check_digit("19920374984"): dict(identity_level="STYRKT"),  # Ines Iskander, samordningsnummer
    with_check_digit("19650909982"): dict(  # Olga Olsson, emigrated
        address_abroad=AddressAbroad(["Calle Mayor 12", "29601 Marbella"], "Spanien", dt.date(2024, 10, 1)),
        marital_status=MaritalStatus("Ä", dt.date(2019, 2, 2)),
    ),
}


def details(citizen: Citizen) -> Citizen:
    """An earlier demo person with the register details this module gives them."""
    extra = _DETAILS.get(citizen.personnummer)
    return dataclasses.replace(citizen, **extra) if extra else citizen
