"""The seeded population: deterministic, valid numbers, ~200 citizens covering every
attribute the guideline rules depend on, and the 18th-birthday boundary placed on the
simulator clock's date (CH-03)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from simulator.population.personnummer import (
    age_on,
    birth_date,
    has_valid_check_digit,
    is_reservnummer,
    is_samordningsnummer,
)
from simulator.population.seed import FICTION_MOBILES, SERIALS, demo_persons, seed_population, turning_18_on

TODAY = dt.date(2026, 11, 22)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "population.md"


@pytest.fixture(scope="module")
def population():
    return seed_population(TODAY)


def test_same_date_same_population():
    assert seed_population(TODAY) == seed_population(TODAY)


def test_only_the_age_boundary_persons_move_with_the_date(population):
    later = seed_population(TODAY + dt.timedelta(days=40))
    moved = {c.personnummer for c in population} ^ {c.personnummer for c in later}
    labels = {c.label for c in population + later if c.personnummer in moved}
    assert labels and all("CH-03" in label for label in labels), labels


def test_size_uniqueness_and_seed_flag(population):
    assert 190 <= len(population) <= 210
    assert len({c.personnummer for c in population}) == len(population)
    assert all(c.seeded for c in population)


def test_every_number_is_valid_and_fictitious(population):
    for citizen in population:
        pnr = citizen.personnummer
        if is_reservnummer(pnr):
            assert re.fullmatch(r"[0-9]{8}[pPtTfF][0-9]{3}", pnr), pnr
            continue
        assert has_valid_check_digit(pnr), pnr
        assert birth_date(pnr) <= TODAY, pnr
        assert pnr == "191212121212" or int(pnr[8:11]) in SERIALS, pnr
        if citizen.account.mobile:
            assert citizen.account.mobile in FICTION_MOBILES
        if citizen.account.email:
            assert citizen.account.email.endswith("@example.com")


def test_calling_names_are_given_names(population):
    for citizen in population:
        assert citizen.calling_name is None or citizen.calling_name in citizen.given_name.split()


def _coverage(population, today) -> dict[str, int]:
    ages = [age_on(c.personnummer, today) for c in population]
    checks = {
        "minor": lambda c, a: a is not None and a < 18,
        "adult": lambda c, a: a is not None and a >= 18,
        "turns 18 today": lambda c, a: birth_date(c.personnummer) == turning_18_on(today),
        "turns 18 tomorrow": lambda c, a: a == 17 and age_on(c.personnummer, today + dt.timedelta(days=1)) == 18,
        "samordningsnummer": lambda c, a: is_samordningsnummer(c.personnummer),
        "reservnummer linked": lambda c, a: is_reservnummer(c.personnummer) and c.linked_identity,
        "reservnummer unlinked": lambda c, a: is_reservnummer(c.personnummer) and not c.linked_identity,
        "sekretessmarkering": lambda c, a: c.protected,
        "skyddad folkbokföring": lambda c, a: c.protected_population_record,
        "deceased": lambda c, a: c.deceased and c.deceased_date and c.deregistration_code == "AV",
        "deregistered alive": lambda c, a: c.deregistration_code and not c.deceased,
        "no account": lambda c, a: not c.account.exists,
        "inactive account": lambda c, a: c.account.exists and not c.account.active,
        "active, no notification": lambda c, a: (
            c.account.active and not (c.account.sms_notification or c.account.email_notification)
        ),
        "active, SMS only": lambda c, a: (
            c.account.active and c.account.sms_notification and not c.account.email_notification
        ),
        "active, e-mail only": lambda c, a: (
            c.account.active and c.account.email_notification and not c.account.sms_notification
        ),
        "active, SMS and e-mail": lambda c, a: (
            c.account.active and c.account.sms_notification and c.account.email_notification
        ),
        "optout paper": lambda c, a: c.optout_paper,
        "wants paper": lambda c, a: not c.optout_paper,
        "digital only candidate (CH-01)": lambda c, a: (
            c.optout_paper
            and c.account.digitally_reachable
            and a is not None
            and a >= 18
            and not c.is_protected
            and not c.deceased
        ),
    }
    return {
        name: sum(1 for c, a in zip(population, ages, strict=False) if check(c, a)) for name, check in checks.items()
    }


@pytest.mark.parametrize("today", [TODAY, dt.date(2028, 2, 28), dt.date(2028, 2, 29), dt.date(2035, 6, 1)])
def test_every_attribute_the_rules_depend_on_is_covered(today):
    """Except that nobody turns 18 on a 29 February (see the test below)."""
    impossible = {"turns 18 today": today, "turns 18 tomorrow": today + dt.timedelta(days=1)}
    coverage = _coverage(seed_population(today), today)
    missing = [
        name
        for name, count in coverage.items()
        if count == 0 and (impossible.get(name, today).month, impossible.get(name, today).day) != (2, 29)
    ]
    assert not missing, coverage


def test_demo_persons_cover_every_attribute_on_their_own():
    coverage = _coverage(demo_persons(TODAY), TODAY)
    assert all(coverage.values()), coverage


def test_every_demo_person_has_a_label_with_a_rule_or_contract_reference():
    for citizen in demo_persons(TODAY):
        assert citizen.label and re.search(r"\b(CH|LK)-\d\d\b|PU ", citizen.label), citizen


def _by_label(people, part: str):
    (found,) = [c for c in people if part in c.label]
    return found


@pytest.mark.parametrize(
    "today", [TODAY, dt.date(2027, 1, 1), dt.date(2027, 12, 31), dt.date(2028, 3, 1), dt.date(2027, 2, 28)]
)
def test_18th_birthday_boundary_sits_on_today(today):
    people = demo_persons(today)
    adult_today = _by_label(people, "Fyller 18 i dag").personnummer
    minor_today = _by_label(people, "Fyller 18 i morgon").personnummer
    assert age_on(adult_today, today) == 18
    assert age_on(adult_today, today - dt.timedelta(days=1)) == 17
    assert age_on(minor_today, today) == 17
    assert age_on(minor_today, today + dt.timedelta(days=1)) == 18
    assert age_on(_by_label(people, "Minderårig").personnummer, today) == 15


def test_nobody_turns_18_on_29_february_so_the_next_birthday_is_used():
    """18 years before a leap year is a common year: no one was born on that 29 February."""
    leap_day, march_1 = dt.date(2028, 2, 29), dt.date(2028, 3, 1)
    people = demo_persons(leap_day)
    assert age_on(_by_label(people, "Fyller 18 i dag").personnummer, leap_day) == 17
    assert age_on(_by_label(people, "Fyller 18 i dag").personnummer, march_1) == 18
    assert age_on(_by_label(people, "Fyller 18 i morgon").personnummer, march_1) == 18
    day_before = demo_persons(dt.date(2028, 2, 28))
    assert age_on(_by_label(day_before, "Fyller 18 i dag").personnummer, dt.date(2028, 2, 28)) == 18
    assert age_on(_by_label(day_before, "Fyller 18 i morgon").personnummer, leap_day) == 17
    assert age_on(_by_label(day_before, "Fyller 18 i morgon").personnummer, march_1) == 18


def test_demo_persons_other_than_the_age_boundary_ones_keep_their_numbers():
    def stable(day):
        return {
            c.personnummer: dataclasses.replace(c, deceased_date=None)
            for c in demo_persons(day)
            if "CH-03" not in c.label
        }

    assert stable(TODAY) == stable(dt.date(2031, 5, 17))


def test_docs_list_every_stable_demo_person():
    text = DOCS.read_text("utf-8")
    for citizen in demo_persons(TODAY):
        if "CH-03" not in citizen.label:
            assert citizen.personnummer in text, citizen.personnummer
            assert citizen.surname in text
