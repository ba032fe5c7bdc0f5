"""What a care system needs to know of a Swedish identity number (12 characters,
YYYYMMDDNNNC as the contracts carry them): is it well formed, which kind is it
(personnummer, samordningsnummer, reservnummer — CH-05), the age on a day (CH-03), and a
masked form for logs. The care system's own code: it shares no module with the simulator."""

from __future__ import annotations

import datetime as dt
import re

from dispatchcore.errors import FieldError

TWELVE_DIGITS = re.compile(r"^[0-9]{12}$")
CONTRACT_FORM = re.compile(r"^[0-9]{8}[0-9pPtTfF][0-9]{3}$")


def _luhn_ok(pnr: str) -> bool:
    total = 0
    for index, char in enumerate(pnr[2:11]):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10 == int(pnr[11])


def validate(value: object, field: str = "personnummer") -> str:
    if not isinstance(value, str) or not CONTRACT_FORM.match(value):
        raise FieldError(
            field, "must be 12 characters YYYYMMDDNNNC (a letter p/t/f allowed in position 9 for reservnummer)"
        )
    if TWELVE_DIGITS.match(value) and not _luhn_ok(value):
        raise FieldError(field, "check digit is wrong")
    return value


def is_samordningsnummer(pnr: str) -> bool:
    return bool(TWELVE_DIGITS.match(pnr)) and 61 <= int(pnr[6:8]) <= 91


def birth_date(pnr: str) -> dt.date | None:
    """With the samordningsnummer day-60 applied; None if not a date."""
    if not TWELVE_DIGITS.match(pnr[:8] + "0000"):
        return None
    day = int(pnr[6:8])
    try:
        return dt.date(int(pnr[0:4]), int(pnr[4:6]), day - 60 if day > 60 else day)
    except ValueError:
        return None


def is_reservnummer(pnr: str) -> bool:
    """A letter in position 9, or a day that is not a date."""
    if not CONTRACT_FORM.match(pnr):
        return False
    if not pnr[8].isdigit():
        return True
    return birth_date(pnr) is None and not is_samordningsnummer(pnr)


def age_on(pnr: str, on: dt.date) -> int | None:
    """Completed years; the 18th birthday itself counts (CH-03). 29 February birthdays
    fall on 1 March in common years."""
    born = birth_date(pnr)
    if born is None:
        return None
    try:
        birthday = born.replace(year=on.year)
    except ValueError:
        birthday = dt.date(on.year, 3, 1)
    return on.year - born.year - (1 if on < birthday else 0)


def mask(pnr: str | None) -> str:
    """What logs show outside debug level: the birth date only."""
    if not pnr:
        return "-"
    return pnr[:8] + "-****" if len(pnr) >= 8 else "****"
