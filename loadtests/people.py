"""Citizens for load tests: Faker-generated (Swedish names and addresses) but valid —
personnummer with a correct Luhn check digit and a gender digit matching the name,
mobile numbers from the range reserved for fiction — created through the control API
(``POST /api/citizens``), as a tester would. Birth numbers 100-899 never collide with the
seeded population (970-999); a taken number (409) is simply skipped."""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker

from simulator.population.seed import ACCOUNT_KINDS, FICTION_MOBILES, TOWN_WEIGHTS, TOWNS, personnummer

SERIALS = range(100, 900)
# What GetUserProfile will say about a load-test citizen: mostly reachable, as in a
# region where ~60 % are digitally reachable and the rest exercise CH-06/07/08.
ACCOUNT_MIX = {"sms": 40, "email": 20, "both": 15, "silent": 10, "inactive": 5, "none": 10}


class People:
    """Deterministic per ``seed``: a rerun with the same seed asks for the same people."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.fake = Faker("sv_SE")
        self.fake.seed_instance(seed)

    def born(self, min_age: int = 19, max_age: int = 90, today: dt.date | None = None) -> dt.date:
        today = today or dt.date(2026, 1, 1)
        return today - dt.timedelta(days=self.rng.randint(min_age * 366, max_age * 365))

    def citizen(
        self,
        account: str | None = None,
        optout_paper: bool | None = None,
        born: dt.date | None = None,
        label: str = "load test",
    ) -> dict:
        """The JSON body of ``POST /api/citizens``."""
        serial = self.rng.choice(SERIALS)
        male = serial % 2 == 1  # the ninth digit (last of the serial) odd: male
        pnr = personnummer(born or self.born(), serial)
        given = self.fake.first_name_male() if male else self.fake.first_name_female()
        surname = self.fake.last_name()
        kind = account or self.rng.choices(list(ACCOUNT_MIX), weights=list(ACCOUNT_MIX.values()))[0]
        town = self.rng.choices(TOWNS, weights=TOWN_WEIGHTS)[0]
        flags = dict(ACCOUNT_KINDS[kind])
        body = {
            "personnummer": pnr,
            "given_name": given,
            "surname": surname,
            "label": label,
            "optout_paper": self.rng.random() < 0.5 if optout_paper is None else optout_paper,
            "address": {
                "street": self.fake.street_name() + f" {self.rng.randint(1, 60)}",
                "postal_code": self.rng.choice(town.postal_prefixes) + f"{self.rng.randint(0, 99):02d}",
                "city": town.name,
            },
            "account": {"exists": False},
        }
        if flags.get("exists"):
            flags.setdefault("active", True)
            body["account"] = {
                "exists": True,
                "active": flags["active"],
                "sms_notification": bool(flags.get("sms_notification")),
                "email_notification": bool(flags.get("email_notification")),
                "mobile": self.rng.choice(FICTION_MOBILES),
                "email": f"load.{pnr[2:8]}{serial}@example.com",
            }
        return body


def reachable(body: dict) -> bool:
    """Digitally reachable (the catalog's term): an active account with a notification on."""
    account = body["account"]
    return bool(
        account.get("exists")
        and account.get("active")
        and (account.get("sms_notification") or account.get("email_notification"))
    )
