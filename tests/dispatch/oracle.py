"""An independent oracle for the channel decision, written from the tables of
guideline-rules.md only (never from dispatchcore): plain values in, the channels and
the rule IDs that must fire out. The property test compares the engine against it.

Formulated differently from the engine on purpose: two booleans ("may it go to 1177?",
"must it go on paper?") instead of an ordered rule chain, so a shared mistake is unlikely.
"""

from __future__ import annotations

import datetime as dt


def born(pnr: str) -> dt.date | None:
    """Birth date from YYYYMMDD; samordningsnummer add 60 to the day (CH-05)."""
    if not pnr[:8].isdigit():
        return None
    year, month, day = int(pnr[:4]), int(pnr[4:6]), int(pnr[6:8])
    if day > 60:
        day -= 60
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def completed_years(pnr: str, on: dt.date) -> int | None:
    birth = born(pnr)
    if birth is None:
        return None
    had_birthday = (on.month, on.day) >= (birth.month, birth.day)
    if (birth.month, birth.day) == (2, 29) and not _leap(on.year):
        had_birthday = (on.month, on.day) >= (3, 1)
    return on.year - birth.year - (0 if had_birthday else 1)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def coordination_or_reserve(pnr: str) -> bool:
    """CH-05: samordningsnummer (day 61-91) or a reservnummer (letter, or not a date)."""
    if not pnr[8].isdigit():
        return True
    day = int(pnr[6:8])
    return day > 60 or born(pnr) is None


def expected(
    *,
    pnr: str,
    pu: str,
    optout: bool,
    deregistered: bool,
    protected: bool,
    account: str,
    notifications: bool,
    interpreter: bool,
    enclosures: bool,
    minutes_to_visit: int | None,
    local_dispatch_date: dt.date,
    minor_age: int,
    short_notice_days: int,
) -> tuple[set[str], set[str]]:
    """pu: ok | unavailable | not_found; account: none | inactive | active | unavailable.
    Returns (channels, rule ids that must be among the fired ones)."""
    if pu == "unavailable":
        return {"paper"}, {"LK-03"}
    if pu == "not_found" or deregistered:
        return set(), {"CH-11"}
    must = {"LK-01"} | ({"CH-10"} if protected else set())
    if enclosures:
        return {"paper"}, must | {"CH-12"}
    if account == "unavailable":
        return {"paper"}, must | {"LK-03"}
    must.add("LK-02")
    reachable = account == "active" and notifications
    if not reachable:
        table = {
            "none": ({"paper"}, "CH-06"),
            "inactive": ({"paper"}, "CH-08"),
            "active": ({"digital", "paper"}, "CH-07"),
        }
        channels, rule = table[account]
        return channels, must | {rule}
    years = completed_years(pnr, local_dispatch_date)
    minor = years is not None and years < minor_age
    short = minutes_to_visit is not None and minutes_to_visit < short_notice_days * 24 * 60
    odd_id = coordination_or_reserve(pnr)
    needs_paper = minor or interpreter or (not short and (odd_id or not optout))
    channels = {"digital", "paper"} if needs_paper else {"digital"}
    fired = {"CH-03"} if minor else set()
    fired |= {"CH-04"} if interpreter else set()
    if not (minor or interpreter):
        if short:
            fired.add("CH-09")
        elif odd_id:
            fired.add("CH-05")
        elif optout:
            fired.add("CH-01")
        else:
            fired.add("CH-02")
    return channels, must | fired
