"""The seeded test population: named demo persons plus generated citizens, ~200 in all.

Deterministic on purpose: a test, a demo script or a training exercise names a person
and gets the same person every run. Only the people whose role is an age boundary
(under 18, 18 today, 18 tomorrow) are placed relative to ``today`` -- the simulator
clock's date -- because "under 18" means nothing without a date (CH-03); everyone else
has a fixed personnummer. Every generated number is fictitious: birth numbers 970-999
with a valid Luhn check digit, mobile numbers from the PTS range reserved for fiction
(070-174 06 05..99) and e-mail at example.com.

See docs/population.md for the demo persons and the rule IDs each one exercises.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from typing import Any

from faker import Faker

from simulator.population import places, register_demo
from simulator.population.domain import Account, Address, Citizen
from simulator.population.personnummer import birth_date, is_reservnummer, is_samordningsnummer, with_check_digit
from simulator.population.register import Citizenship, MaritalStatus

SEED = 1177
SIZE = 200
SERIALS = range(970, 1000)  # birth numbers of every generated number
BULK_SERIALS = range(980, 1000)  # 970-979: the date-dependent demo persons, so they never collide
# Generated (non-demo) citizens are born before this date, so the bulk does not change
# from day to day (only the boundary demo persons do) and nobody is born "in the future"
# for any clock date from 2025 on.
BULK_BORN_BEFORE = dt.date(2025, 1, 1)
FICTION_MOBILES = [f"+4670174{n:04d}" for n in range(605, 700)]
# When the seeded records were last changed (PU ``version``): one fixed moment, so a
# record is the same on every clock date.
SEED_VERSION = dt.datetime(2025, 1, 2, 6, 0)


# Jönköping (rjl) and Västra Götaland (vgr) dominate: they are the two rule profiles.
TOWNS = places.TOWNS[:7]
TOWN_WEIGHTS = (20, 8, 6, 25, 10, 8, 23)

# Account kinds: what GetUserProfile will say (CH-06, CH-07, CH-08 and "digitally reachable").
ACCOUNT_KINDS: dict[str, dict[str, Any]] = {
    "none": dict(exists=False),
    "inactive": dict(exists=True, active=False, sms_notification=True),
    "silent": dict(exists=True, active=True),
    "sms": dict(exists=True, active=True, sms_notification=True),
    "email": dict(exists=True, active=True, email_notification=True),
    "both": dict(exists=True, active=True, sms_notification=True, email_notification=True),
}


def personnummer(born: dt.date, serial: int, samordning: bool = False) -> str:
    """YYYYMMDDNNNC with a valid check digit; a samordningsnummer has day + 60."""
    day = born.day + (60 if samordning else 0)
    return with_check_digit(f"{born:%Y%m}{day:02d}{serial:03d}")


def reservnummer(born: dt.date, letter: str, serial: int) -> str:
    """The regional form with a letter in position 9 (the contract's [pPtTfF]); it has no
    Luhn check digit and encodes no gender, which is what makes it a reservnummer."""
    return f"{born:%Y%m%d}{letter}{serial:03d}"


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def turning_18_on(day: dt.date) -> dt.date:
    """A birth date whose 18th birthday is ``day`` (age_on counts that day as 18). On 29
    February nobody turns 18 (18 years earlier is no leap year); the person born on 1
    March then turns 18 on the first day after it."""
    try:
        return day.replace(year=day.year - 18)
    except ValueError:
        return dt.date(day.year - 18, 3, 1)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _account(kind: str, given: str, surname: str, index: int, unique_email: bool = True) -> Account:
    flags = ACCOUNT_KINDS[kind]
    if not flags.get("exists"):
        return Account()
    local = f"{_ascii(given.split()[0])}.{_ascii(surname)}{index if unique_email else ''}"
    return Account(**flags, mobile=FICTION_MOBILES[index % len(FICTION_MOBILES)], email=f"{local}@example.com")


def _address(fake: Faker, rng: random.Random, town: places.Town) -> Address:
    street = re.sub(r" 0+(?=\d)", " ", fake.street_address())  # Faker writes "Aspvägen 093"
    return Address(
        street=street, postal_code=rng.choice(town.postal_prefixes) + f"{rng.randint(0, 99):02d}", city=town.name
    )


def _citizen(
    pnr: str, given: str, surname: str, town: places.Town, address: Address, account: Account, **fields
) -> Citizen:
    return Citizen(
        personnummer=pnr,
        given_name=given,
        surname=surname,
        address=address,
        county_code=town.county,
        municipality_code=town.municipality,
        parish_code=places.DEFAULT_PARISH,
        account=account,
        seeded=True,
        updated_at=SEED_VERSION,
        **fields,
    )


def demo_persons(today: dt.date) -> list[Citizen]:
    """The named personas of the docs, demos and tests (docs/population.md). Each
    ``label`` says which rule the person exercises."""
    fake = Faker("sv_SE")
    fake.seed_instance(SEED + 1)
    rng = random.Random(SEED + 1)
    jkpg, gbg = TOWNS[0], TOWNS[3]
    people: list[Citizen] = []

    def add(pnr, given, surname, label, account, optout, town=jkpg, **fields):
        people.append(
            _citizen(
                pnr,
                given,
                surname,
                town,
                _address(fake, rng, town),
                _account(account, given, surname, len(people), unique_email=False),
                optout_paper=optout,
                label=label,
                **fields,
            )
        )

    add(
        "191212121212",
        "Tolvan",
        "Tolvansson",
        "Vuxen, avstått papper, SMS-avisering – digital only (CH-01)",
        "sms",
        True,
    )
    add(
        personnummer(dt.date(1980, 1, 1), 980),
        "Anna",
        "Andersson",
        "Vuxen, e-postavisering, vill ha papper – digital och papper (CH-02)",
        "email",
        False,
        town=gbg,
    )
    add(
        personnummer(dt.date(1975, 5, 5), 981),
        "Bertil Karl",
        "Bengtsson",
        "Vuxen, avstått papper, SMS- och e-postavisering – digital only (CH-01)",
        "both",
        True,
        calling_name="Karl",
    )
    add(
        personnummer(dt.date(1968, 3, 3), 982),
        "Cecilia",
        "Carlsson",
        "1177-konto utan avisering – papper också (CH-07)",
        "silent",
        True,
    )
    add(
        personnummer(dt.date(1990, 7, 7), 981),
        "David",
        "Dahl",
        "Inget 1177-konto – papper (CH-06)",
        "none",
        False,
        town=gbg,
    )
    add(
        personnummer(dt.date(1985, 2, 2), 982),
        "Eva",
        "Ek",
        "Inaktivt/låst 1177-konto – papper (CH-08)",
        "inactive",
        True,
    )
    add(
        personnummer(years_before(today, 15) - dt.timedelta(days=100), 971),
        "Filip",
        "Falk",
        "Minderårig (15 år), avstått papper, SMS – papper alltid också (CH-03)",
        "sms",
        True,
    )
    add(
        personnummer(turning_18_on(today), 972),
        "Greta",
        "Gustafsson",
        "Fyller 18 i dag – räknas som vuxen, digital only (CH-03 gräns, CH-01)",
        "sms",
        True,
        town=gbg,
    )
    add(
        personnummer(turning_18_on(today + dt.timedelta(days=1)), 973),
        "Hugo",
        "Holm",
        "Fyller 18 i morgon – minderårig i dag, papper också (CH-03 gräns)",
        "sms",
        True,
    )
    add(
        personnummer(dt.date(2008, 2, 29), 985),
        "Pelle",
        "Persson",
        "Född 29 februari 2008 – fyller 18 den 1 mars 2026 (CH-03 gräns)",
        "sms",
        True,
    )
    add(
        personnummer(dt.date(1992, 3, 14), 984, samordning=True),
        "Ines",
        "Iskander",
        "Samordningsnummer, digitalt nåbar – papper också (CH-05)",
        "sms",
        True,
        town=gbg,
    )
    jonas = personnummer(dt.date(1970, 1, 1), 981)
    add(
        jonas,
        "Jonas",
        "Jansson",
        "Huvudidentitet för reservnummer 19700101T915 (PU ignoreReferredIdentity)",
        "sms",
        True,
    )
    add(
        reservnummer(dt.date(1970, 1, 1), "T", 915),
        "Jonas",
        "Jansson",
        f"Reservnummer kopplat till {jonas} – papper också (CH-05)",
        "none",
        False,
        linked_identity=jonas,
    )
    add(
        reservnummer(dt.date(1988, 6, 6), "P", 962),
        "Kim",
        "Karlsson",
        "Reservnummer utan koppling – papper också (CH-05)",
        "none",
        False,
        town=gbg,
    )
    add(
        personnummer(dt.date(1977, 7, 7), 984),
        "Lova",
        "Lind",
        "Sekretessmarkering – PU svarar bara P1, skyddad adressväg (CH-10)",
        "sms",
        True,
        protected=True,
    )
    add(
        personnummer(dt.date(1981, 11, 11), 986),
        "Maja",
        "Moberg",
        "Skyddad folkbokföring – PU svarar bara P1, skyddad adressväg (CH-10)",
        "sms",
        True,
        town=gbg,
        protected_population_record=True,
    )
    add(
        personnummer(dt.date(1940, 4, 4), 981),
        "Nils",
        "Nyström",
        "Avliden – inget skickas, manuell hantering (CH-11)",
        "sms",
        True,
        deceased=True,
        deceased_date=today - dt.timedelta(days=30),
        deregistration_code="AV",
    )
    add(
        personnummer(dt.date(1965, 9, 9), 982),
        "Olga",
        "Olsson",
        "Utvandrad (avregistrerad) – inget skickas (CH-11)",
        "email",
        False,
        town=gbg,
        deregistration_code="UV",
    )
    add(
        personnummer(dt.date(1995, 12, 12), 980),
        "Rut",
        "Rydberg",
        "Avstått papper men inget 1177-konto – papper (CH-06; CH-01 gäller inte)",
        "none",
        True,
    )
    register_demo.persons(add)
    return [register_demo.details(c) for c in people]


def _generated(count: int, taken: set[str], today: dt.date) -> list[Citizen]:
    """The bulk: realistic mixes of age, identity kind, protection, death and 1177 settings."""
    fake = Faker("sv_SE")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    people: list[Citizen] = []
    while len(people) < count:
        male = rng.random() < 0.5
        age = rng.choice([rng.randint(0, 17), rng.randint(18, 64), rng.randint(18, 64), rng.randint(65, 98)])
        born = years_before(BULK_BORN_BEFORE, age + 1) + dt.timedelta(days=rng.randint(0, 364))
        serial = rng.choice([s for s in BULK_SERIALS if s % 2 == (1 if male else 0)])
        kind = rng.choices(["pnr", "snr", "reserv"], weights=(92, 5, 3))[0]
        pnr = (
            reservnummer(born, rng.choice("PTF"), serial)
            if kind == "reserv"
            else personnummer(born, serial, samordning=kind == "snr")
        )
        if pnr in taken or born > today:
            continue
        taken.add(pnr)
        people.append(_generated_citizen(fake, rng, pnr, male, age, len(people) + 100))
    return people


def _generated_citizen(fake: Faker, rng: random.Random, pnr: str, male: bool, age: int, index: int) -> Citizen:
    first = fake.first_name_male if male else fake.first_name_female
    names = [first() for _ in range(rng.choice([1, 1, 2, 2, 3]))]
    given = " ".join(dict.fromkeys(names))
    surname = fake.last_name()
    town = rng.choices(TOWNS, weights=TOWN_WEIGHTS)[0]
    if age < 13:
        account = "none"
    else:
        account = rng.choices(list(ACCOUNT_KINDS), weights=(12, 5, 13, 35, 15, 20))[0]
    deceased = rng.random() < 0.03
    emigrated = not deceased and rng.random() < 0.01
    return _citizen(
        pnr,
        given,
        surname,
        town,
        _address(fake, rng, town),
        _account(account, given, surname, index),
        calling_name=rng.choice(given.split()) if " " in given else None,
        middle_name=fake.last_name() if rng.random() < 0.08 else None,
        protected=rng.random() < 0.02,
        protected_population_record=rng.random() < 0.01,
        optout_paper=rng.random() < (0.45 if ACCOUNT_KINDS[account].get("exists") else 0.05),
        deceased=deceased,
        deceased_date=_death_date(rng, pnr) if deceased else None,
        deregistration_code="AV" if deceased else ("UV" if emigrated else None),
        **_register_facts(pnr, age),
    )


# Civilstånd of generated adults, chosen by a digit of the number (not the random
# stream, so adding it did not change who the generated citizens are).
_ADULT_MARITAL = ("OG", "G", "OG", "G", "S", "OG", "G", "G", "Ä", "OG")


def _register_facts(pnr: str, age: int) -> dict:
    """Citizenship for folkbokförda (personnummer holders) and marital status for adults."""
    facts: dict = {}
    if not is_reservnummer(pnr) and not is_samordningsnummer(pnr):
        facts["citizenships"] = [Citizenship("SE")]
    if age >= 18:
        facts["marital_status"] = MaritalStatus(_ADULT_MARITAL[int(pnr[9])])
    return facts


def _death_date(rng: random.Random, pnr: str) -> dt.date:
    born = birth_date(pnr) or dt.date(1950, 1, 1)
    latest = BULK_BORN_BEFORE - dt.timedelta(days=1)
    return born + dt.timedelta(days=rng.randint(0, max(0, (latest - born).days)))


def seed_population(today: dt.date) -> list[Citizen]:
    """The whole seeded population for a clock date: the demo persons first, then the
    generated citizens; identical for identical ``today``."""
    demo = demo_persons(today)
    return demo + _generated(SIZE - len(demo), {c.personnummer for c in demo}, today)
