"""Personnummer utilities: Luhn check digit, samordningsnummer (day + 60), reservnummer,
age on a date (the CH-03 boundary, 29 February) and masking for logs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.population.personnummer import (
    age_on,
    birth_date,
    gender,
    has_valid_check_digit,
    is_reservnummer,
    is_samordningsnummer,
    luhn_digit,
    mask,
    with_check_digit,
)


@pytest.mark.parametrize("pnr", ["196408233234", "191212121212", "190001010008"])
def test_known_valid_check_digits(pnr):
    assert has_valid_check_digit(pnr)
    assert with_check_digit(pnr[:11]) == pnr


def test_the_worked_example_640823_323_gives_4():
    assert luhn_digit("640823323") == 4


@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), st.integers(0, 999))
def test_every_changed_digit_breaks_the_check(day, serial):
    pnr = with_check_digit(f"{day:%Y%m%d}{serial:03d}")
    assert has_valid_check_digit(pnr)
    for position in range(2, 12):  # the century is not part of the check
        digit = int(pnr[position])
        changed = pnr[:position] + str((digit + 1) % 10) + pnr[position + 1 :]
        assert not has_valid_check_digit(changed), changed


def test_samordningsnummer_is_day_plus_60():
    snr = with_check_digit("19920374984")
    assert is_samordningsnummer(snr)
    assert birth_date(snr) == dt.date(1992, 3, 14)
    assert not is_samordningsnummer(with_check_digit("19920314984"))
    assert not is_reservnummer(snr)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("19700101T915", True),
        ("19880606P962", True),
        ("19850315f123", True),
        ("191212121212", False),
        ("19920374984" + "2", False),
        ("1970010198", False),
        ("19700101X915", False),
    ],
)
def test_reservnummer_forms(value, expected):
    assert is_reservnummer(value) is expected


@pytest.mark.parametrize(
    "on,expected",
    [
        (dt.date(2026, 11, 21), 17),
        (dt.date(2026, 11, 22), 18),
        (dt.date(2026, 11, 23), 18),
    ],
)
def test_18th_birthday_counts_as_18(on, expected):
    assert age_on(with_check_digit("20081122982"), on) == expected


@pytest.mark.parametrize(
    "on,expected",
    [
        (dt.date(2026, 2, 28), 17),  # common year: no 29 February ...
        (dt.date(2026, 3, 1), 18),  # ... so the birthday is 1 March
        (dt.date(2028, 2, 28), 19),
        (dt.date(2028, 2, 29), 20),  # leap year: the real birthday
    ],
)
def test_born_on_29_february(on, expected):
    assert age_on(with_check_digit("20080229985"), on) == expected


def test_age_of_a_samordningsnummer_and_of_a_non_date():
    assert age_on(with_check_digit("19920374984"), dt.date(2026, 3, 14)) == 34
    assert age_on("19921374984" + "0", dt.date(2026, 1, 1)) is None


def test_gender_from_the_third_serial_digit():
    assert gender("191212121212") == "Male"
    assert gender(with_check_digit("19800101980")) == "Female"
    assert gender("19700101T9X5") is None


def test_mask_shows_the_birth_date_only():
    assert mask("191212121212") == "19121212-****"
    assert "1212" not in mask("191212121212")[8:]
    assert mask(None) == "-"


@pytest.mark.parametrize(
    "value",
    [
        "191212121212\n",  # `$` matched before a trailing newline: a second Tolvan
        "191212121212 ",
        "\n191212121212",
        with_check_digit("19121312121"),  # month 13
        with_check_digit("19121200121"),  # day 00
        with_check_digit("19230229121"),  # 29 February of a common year
        with_check_digit("19121292121"),  # samordningsnummer day 92 (= 32)
        "191212121213",  # check digit
        12,
        None,
    ],
)
def test_impossible_identities_are_named(value):
    from simulator.population.personnummer import problem

    assert problem(value) is not None


@pytest.mark.parametrize(
    "value", ["191212121212", with_check_digit("19920374984"), "19700101T915", with_check_digit("20000229123")]
)
def test_real_identities_pass(value):
    from simulator.population.personnummer import CONTRACT_FORM, TWELVE_DIGITS, problem

    assert problem(value) is None
    assert CONTRACT_FORM.match(value)
    assert not TWELVE_DIGITS.match(value + "\n"), "the patterns match the whole string"
