"""vendor_traffic: a care system's traffic mix through the simulated platform.

Each simulated user is one vendor integration: it creates a few citizens of its own
(``POST /api/citizens``, Faker data with valid check digits) and then sends, by weight,
AddMessage (most), GetUserProfile, GetPersonsForProfile with 1-500 identities, and
GetMessageStatus for threads it created — every call with the LogicalAddress header and
``x-rivta-original-serviceconsumer-hsaid``. Every AddMessage answered OK or INFO goes to
the ledger; reconciliation checks each one is stored exactly once.

Run: ``kallelse load run --scenario vendor_traffic --users 20 --duration 60s --report out/``
(with ``--tags addmessage`` against the lean floor app: AddMessage only)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from locust import FastHttpUser, tag, task

from loadtests import wire
from loadtests.scenarios import common
from simulator.citizen.client import Kallelse
from simulator.citizen.demo import kallelse_msg

FLOOR_PERSONNUMMER = "191212121212"
FACILITY = {
    "hsaId": "SE2321000016-LOAD2",
    "healthCareFacilityName": "Vårdcentralen Lasttest",
    "healthCareFacilityAddress": "Testgatan 1",
    "healthCareFacilityPostalCode": "55320",
    "healthCareFacilityPostalCity": "Jönköping",
    "healthCareFacilityTelephone": "036-10 10 10",
}
VISITS = ("Mammografi, screening", "Arbetsprov", "Blodprov", "Återbesök ortopedi", "Hälsosamtal")
_seeded: list[str] = []


def identity_count() -> int:
    """Mostly small batches, as a care system asks; sometimes the contract's 500."""
    roll = random.random()
    if roll < 0.70:
        return random.randint(1, 10)
    if roll < 0.95:
        return random.randint(11, 100)
    return random.randint(101, 500)


class VendorSystem(FastHttpUser):
    wait_time = common.wait_time()

    def on_start(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.citizens: list[dict[str, Any]]
        if common.FLOOR:
            self.citizens = [{"personnummer": FLOOR_PERSONNUMMER, "account": {"exists": True, "active": True}}]
            return
        self.citizens = common.create_citizens(self.client, common.CITIZENS_PER_USER)
        if not _seeded:
            with self.client.get(
                "/api/citizens?seeded=true&limit=1000", name="setup: /api/citizens?seeded", catch_response=True
            ) as answer:
                if answer.status_code == 200:
                    _seeded.extend(c["personnummer"] for c in answer.json()["items"])
        if not self.citizens:
            raise RuntimeError("could not create any citizen through POST /api/citizens")

    def _citizen(self) -> dict:
        return random.choice(self.citizens)

    @tag("addmessage")
    @task(70)
    def add_message(self) -> None:
        citizen = self._citizen()
        pnr, account = citizen["personnummer"], citizen["account"]
        bo = common.unique("LT")
        visit = dt.datetime.now(dt.UTC) + dt.timedelta(days=random.randint(5, 40))
        kind = random.choice(VISITS)
        kallelse = Kallelse(
            personnummer=pnr,
            business_object_id=bo,
            header=f"Kallelse: {kind}",
            msg=kallelse_msg(f"Kallelse till {kind.lower()}", visit, kind),
            facility=FACILITY,
            booking={
                "bookingId": bo,
                "isInvitation": True,
                "rebookingAllowed": True,
                "cancelBookingAllowed": True,
                "bookingDate": visit.replace(tzinfo=None).isoformat(timespec="seconds"),
            },
            source_system=wire.CONSUMER,
        )
        expect = "OK" if account.get("exists") and account.get("active") else "INFO"
        code, _ = common.soap(self.client, wire.add_message(kallelse), expect=(expect,))
        if code in ("OK", "INFO") and not common.FLOOR:
            common.ledger.record("addmessage", pnr=pnr, bo=bo, code=code)
            self.sent = (self.sent + [(pnr, bo)])[-50:]

    @tag("userprofile")
    @task(15)
    def get_user_profile(self) -> None:
        citizen = self._citizen()
        account = citizen["account"]
        expect = "OK" if account.get("exists") and account.get("active") else "INFO"
        common.soap(self.client, wire.get_user_profile(citizen["personnummer"]), expect=(expect,))

    @tag("pu")
    @task(8)
    def get_persons_for_profile(self) -> None:
        pool: list[str] = [str(c["personnummer"]) for c in self.citizens] + _seeded
        wanted = [random.choice(pool) for _ in range(identity_count())]
        request = wire.get_persons_for_profile(wanted)
        name = f"GetPersonsForProfile {'1-10' if len(wanted) <= 10 else '11-100' if len(wanted) <= 100 else '101-500'}"
        # FastHttpSession sends bytes as they are; its annotation names str and dict only
        with self.client.post(
            request.path,
            data=request.body,  # type: ignore[arg-type]
            headers=request.headers,
            name=name,
            catch_response=True,
        ) as answer:
            records = wire.person_records(answer.content or b"")
            if answer.status_code == 200 and records == len(wanted):
                answer.success()
            else:
                answer.failure(f"HTTP {answer.status_code}: {records} answers for {len(wanted)} identities")

    @tag("status")
    @task(7)
    def get_message_status(self) -> None:
        if not self.sent:
            return self.add_message()
        pnr, bo = random.choice(self.sent)
        common.soap(self.client, wire.get_message_status(pnr, bo))
