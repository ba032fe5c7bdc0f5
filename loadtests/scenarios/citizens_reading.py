"""citizens_reading: citizens in their 1177 inbox while the care systems send.

Each simulated user is one citizen: in on_start a care system creates the citizen and
sends a few kallelser (AddMessage, named ``setup: ...``), then the citizen logs in on the
citizen pages (CSRF-protected form, cookie session) and, between pauses, lists the inbox,
opens a thread (which marks it read at the simulator clock's time), and looks at the
archive. Every thread opened goes to the ledger: reconciliation checks that each opened
message is stored as Read with a read time.

Run alone or beside the others:
``kallelse load run --scenario vendor_traffic,citizens_reading --users 30 --duration 60s --report out/``"""

from __future__ import annotations

import datetime as dt
import random
import re

from locust import HttpUser, between, task

from loadtests import wire
from loadtests.scenarios import common
from loadtests.scenarios.vendor_traffic import FACILITY
from simulator.citizen.client import Kallelse
from simulator.citizen.demo import kallelse_msg

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
THREAD_LINK = re.compile(r'href="/inkorg/arende/([0-9a-f-]{36})"')
MESSAGES_EACH = 3


class Citizen(HttpUser):
    # A person reads, then does something else: seconds, not milliseconds.
    wait_time = between(1, 3)
    weight = 1

    def on_start(self) -> None:
        created = common.create_citizens(self.client, 1, account="sms")
        if not created:
            raise RuntimeError("could not create a citizen through POST /api/citizens")
        self.pnr = created[0]["personnummer"]
        for number in range(MESSAGES_EACH):
            bo = common.unique("CR")
            when = dt.datetime.now(dt.UTC) + dt.timedelta(days=10 + number)
            kallelse = Kallelse(
                personnummer=self.pnr,
                business_object_id=bo,
                header=f"Kallelse {number + 1}",
                msg=kallelse_msg("Kallelse till hälsosamtal", when, "Hälsosamtal"),
                facility=FACILITY,
                source_system=wire.CONSUMER,
            )
            code, _ = common.soap(self.client, wire.add_message(kallelse), name="setup: AddMessage")
            if code == "OK":
                common.ledger.record("addmessage", pnr=self.pnr, bo=bo, code=code)
        self.log_in()

    def log_in(self) -> None:
        page = self.client.get("/inkorg/logga-in", name="/inkorg/logga-in")
        token = TOKEN.search(page.text)
        with self.client.post(
            "/inkorg/logga-in",
            name="/inkorg/logga-in [POST]",
            catch_response=True,
            data={"csrf_token": token.group(1) if token else "", "personnummer": self.pnr},
            allow_redirects=False,
        ) as answer:
            if answer.status_code == 302:
                answer.success()
            else:
                answer.failure(f"log-in answered HTTP {answer.status_code}")

    @task(5)
    def read_a_thread(self) -> None:
        inbox = self.client.get("/inkorg", name="/inkorg")
        ids = THREAD_LINK.findall(inbox.text)
        if not ids:
            return
        message_id = random.choice(ids)
        with self.client.get(f"/inkorg/arende/{message_id}", name="/inkorg/arende/[id]", catch_response=True) as answer:
            if answer.status_code == 200:
                common.ledger.record("read", pnr=self.pnr, message_id=message_id)
            else:
                answer.failure(f"thread answered HTTP {answer.status_code}")

    @task(1)
    def archive_view(self) -> None:
        self.client.get("/inkorg?visa=arkiverade", name="/inkorg?visa=arkiverade")
