"""Test citizens made for one scenario: a fresh personnummer each (random serial, valid
check digit, retried when taken), so scenarios running side by side never share a
person, and the account/PU attributes the rule under test needs."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from simulator.population.personnummer import with_check_digit

ACCOUNTS: dict[str, dict[str, Any]] = {
    "reachable": {
        "exists": True,
        "active": True,
        "sms_notification": True,
        "email_notification": True,
        "mobile": "+46701234567",
        "email": "patient@example.se",
    },
    "sms_only": {
        "exists": True,
        "active": True,
        "sms_notification": True,
        "email_notification": False,
        "mobile": "+46701234567",
    },
    "email_only": {
        "exists": True,
        "active": True,
        "sms_notification": False,
        "email_notification": True,
        "email": "patient@example.se",
    },
    "no_notifications": {"exists": True, "active": True, "sms_notification": False, "email_notification": False},
    "inactive": {
        "exists": True,
        "active": False,
        "sms_notification": True,
        "email_notification": False,
        "mobile": "+46701234567",
    },
    "none": {"exists": False, "active": False},
}
STREET = "Testgatan {n}"


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def adult_birth_date() -> dt.date:
    return dt.date(1950, 1, 1) + dt.timedelta(days=secrets.randbelow(40 * 365))


def personnummer(born: dt.date, identity: str = "personnummer") -> str:
    """A fresh identity of the kind asked for: personnummer, samordningsnummer (day + 60) or
    a reservnummer (a letter in position 9, the contract's [pPtTfF] form)."""
    serial = secrets.randbelow(900) + 100
    if identity == "reservnummer":
        return f"{born:%Y%m%d}T{serial:03d}"
    day = born.day + (60 if identity == "samordningsnummer" else 0)
    return with_check_digit(f"{born:%Y%m}{day:02d}{serial:03d}")


def citizen_body(pnr: str, account: str = "reachable", optout: bool = False, **extra) -> dict:
    number = secrets.randbelow(90) + 10
    return {
        "personnummer": pnr,
        "given_name": "Testa",
        "surname": f"Konformans{number}",
        "address": {"street": STREET.format(n=number), "postal_code": "55316", "city": "Jönköping"},
        "optout_paper": optout,
        "account": dict(ACCOUNTS[account]),
        "label": "conformance",
        **extra,
    }


def create(
    sim,
    born: dt.date | None = None,
    identity: str = "personnummer",
    account: str = "reachable",
    optout: bool = False,
    **extra,
) -> dict:
    """A new citizen in the simulator; returns the body it was created with."""
    born = born or adult_birth_date()
    for _ in range(50):
        body = citizen_body(personnummer(born, identity), account, optout, **extra)
        if sim.create_citizen(body):
            return body
    raise RuntimeError(f"no free personnummer for birth date {born}")
