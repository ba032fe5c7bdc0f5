"""Swedish personal identity numbers: personnummer, samordningsnummer (day + 60) and the
regional reservnummer forms, 12 characters as the contracts carry them (YYYYMMDDNNNC)."""

from __future__ import annotations

import datetime as dt
import re

# ``\Z``, not ``$``: ``$`` also matches before a trailing newline, so "191212121212\n" passed
# and became a second citizen. With ``\Z`` ``.match`` is a full match.
TWELVE_DIGITS = re.compile(r"[0-9]{12}\Z")
CONTRACT_FORM = re.compile(r"[0-9]{8}[0-9pPtTfF][0-9]{3}\Z")


def luhn_digit(nine: str) -> int:
    """Check digit over the 9 digits YYMMDDNNN (the Luhn algorithm)."""
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def with_check_digit(eleven: str) -> str:
    """YYYYMMDDNNN -> YYYYMMDDNNNC."""
    return eleven + str(luhn_digit(eleven[2:11]))


def has_valid_check_digit(pnr: str) -> bool:
    return bool(TWELVE_DIGITS.match(pnr)) and luhn_digit(pnr[2:11]) == int(pnr[11])


def is_samordningsnummer(pnr: str) -> bool:
    return bool(TWELVE_DIGITS.match(pnr)) and 61 <= int(pnr[6:8]) <= 91


def is_reservnummer(pnr: str) -> bool:
    """Reservnummer carry a letter in position 9 (the contract's [pPtTfF] class) or a day
    that is not a date; they are never valid personnummer."""
    if not CONTRACT_FORM.match(pnr):
        return False
    if not pnr[8].isdigit():
        return True
    return birth_date(pnr) is None and not is_samordningsnummer(pnr)


def problem(value: object) -> str | None:
    """Why ``value`` is not an identity the contracts accept, or None when it is.

    The contract form is 12 characters ``YYYYMMDDNNNC`` (a letter p/t/f in position 9 for a
    reservnummer). An all-digit number must also be a real date (samordningsnummer: day + 60)
    and carry the right Luhn check digit: month 13 or day 00 is nobody."""
    if not isinstance(value, str) or not CONTRACT_FORM.fullmatch(value):
        return "must be 12 characters YYYYMMDDNNNC (a letter p/t/f allowed in position 9 for reservnummer)"
    if TWELVE_DIGITS.fullmatch(value):
        if birth_date(value) is None:
            return "must start with a real date YYYYMMDD (samordningsnummer: day + 60)"
        if not has_valid_check_digit(value):
            return "check digit is wrong"
    return None


def birth_date(pnr: str) -> dt.date | None:
    """The date of birth, with samordningsnummer day-60 applied; None if not a date."""
    if not TWELVE_DIGITS.match(pnr[:8] + "0000"):
        return None
    day = int(pnr[6:8])
    if day > 60:
        day -= 60
    try:
        return dt.date(int(pnr[0:4]), int(pnr[4:6]), day)
    except ValueError:
        return None


def age_on(pnr: str, on: dt.date) -> int | None:
    """Completed years on a date; the 18th birthday itself counts as 18 (CH-03 boundary).
    A person born on 29 February has birthdays on 1 March in common years."""
    born = birth_date(pnr)
    if born is None:
        return None
    years = on.year - born.year
    try:
        birthday = born.replace(year=on.year)
    except ValueError:
        birthday = dt.date(on.year, 3, 1)
    return years - (1 if on < birthday else 0)


def gender(pnr: str) -> str | None:
    """Odd ninth-to-last digit: male; even: female (folkbokföring convention)."""
    return None if not pnr[10].isdigit() else ("Male" if int(pnr[10]) % 2 else "Female")


def mask(pnr: str | None) -> str:
    """What logs show outside debug level: the birth date only."""
    if not pnr:
        return "-"
    return pnr[:8] + "-****" if len(pnr) >= 8 else "****"
