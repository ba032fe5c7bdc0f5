"""Bookings as a booking system hands them to the dispatch core (``POST
/dispatch/api/bookings``): valid, varied enough that every channel rule gets its share
(interpreter need, SMS reminder consent, enclosures now and then), and timed on the
*simulator* clock, which a tester may have moved."""

from __future__ import annotations

import datetime as dt
import random

from simulator.clock import SWEDEN

FACILITIES = (
    {
        "hsa_id": "SE2321000065-E12",
        "name": "Klinisk fysiologi Ryhov",
        "address": "Sjukhusgatan 1",
        "postal_code": "55305",
        "city": "Jönköping",
        "phone": "010-242 00 00",
        "directions_url": "https://rjl.se/hitta/klinisk-fysiologi",
    },
    {
        "hsa_id": "SE2321000065-B7M",
        "name": "Bröstmottagningen Ryhov",
        "address": "Sjukhusgatan 1",
        "postal_code": "55305",
        "city": "Jönköping",
        "phone": "010-242 10 00",
        "directions_url": "https://rjl.se/hitta/brostmottagningen",
    },
)
VISIT_TYPES = ("Mammografi, screening", "Arbetsprov", "Hälsosamtal", "Blodprov", "Återbesök")


def visit_time(offset_seconds: float, rng: random.Random, min_days: int = 7, max_days: int = 30) -> str:
    """A weekday-morning visit ``min_days``-``max_days`` ahead on the simulator clock, as
    Swedish local time without offset (what a clinic's system sends)."""
    sim_now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset_seconds)
    day = (sim_now.astimezone(SWEDEN) + dt.timedelta(days=rng.randint(min_days, max_days))).date()
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(rng.randint(8, 15), rng.choice((0, 15, 30, 45)))).isoformat()


def booking_body(
    booking_id: str, personnummer: str, visit_start: str, rng: random.Random, screening: bool = False
) -> dict:
    body: dict[str, object] = {
        "booking_id": booking_id,
        "personnummer": personnummer,
        "profile": rng.choice(("rjl", "vgr")),
        "type": "kallelse",
        "facility": FACILITIES[1 if screening else rng.randint(0, 1)],
        "visit_start": visit_start,
        "visit_type": VISIT_TYPES[0] if screening else rng.choice(VISIT_TYPES),
        "preparations": "Ta med legitimation. Kom tio minuter före din tid.",
        "sms_reminder_consent": rng.random() < 0.3,
        "interpreter": rng.random() < 0.03,
    }
    if body["interpreter"]:
        body["interpreter_language"] = rng.choice(("arabiska", "somaliska", "tigrinja"))
    if not screening and rng.random() < 0.02:
        body["physical_enclosures"] = ["Provrör och remiss"]
    return body
