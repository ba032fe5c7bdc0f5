"""dispatch_end_to_end: the booking system's side of the dispatch core, through to the
citizen's inbox.

Each simulated user is a booking system: it creates citizens, posts a booking
(``POST /dispatch/api/bookings``), then follows it (``GET /dispatch/api/bookings/<id>``)
until the dispatch worker has decided and — if the decision has the digital channel —
until the 1177 message is stored. Two custom locust metrics (type ``E2E``):

* ``E2E booking→decision``: booking accepted (201 seen) to decision recorded;
* ``E2E booking→inbox``: booking accepted to AddMessage stored, from the inbox message's
  ``received_at`` (simulator time, turned into real time with the clock's offset; with a
  frozen or sped-up clock, the moment the poll saw the message instead).

Every accepted booking goes to the ledger; reconciliation checks its decision and outputs.

Run: ``kallelse load run --scenario dispatch_end_to_end --users 10 --duration 60s --report out/``"""

from __future__ import annotations

import datetime as dt
import random
import time

import gevent
from locust import FastHttpUser, task

from loadtests.bookings import booking_body, visit_time
from loadtests.scenarios import common

POLL_SECONDS = 0.2
FOLLOW_TIMEOUT = 120.0
DIGITAL = ("digital_only", "digital_and_paper")


class BookingSystem(FastHttpUser):
    wait_time = common.wait_time()

    def on_start(self) -> None:
        self.rng = random.Random()
        self.citizens = common.create_citizens(self.client, common.CITIZENS_PER_USER)
        clock = self.client.get("/api/clock", name="setup: /api/clock").json()
        self.offset = float(clock.get("offset_seconds", 0.0))
        self.real_time_clock = not clock.get("frozen") and float(clock.get("speed", 1)) == 1.0
        if not self.citizens:
            raise RuntimeError("could not create any citizen through POST /api/citizens")

    @task
    def book_and_follow(self) -> None:
        citizen = self.rng.choice(self.citizens)
        booking_id = common.unique("E2E")
        body = booking_body(booking_id, citizen["personnummer"], visit_time(self.offset, self.rng), self.rng)
        with self.client.post(
            "/dispatch/api/bookings", json=body, name="/dispatch/api/bookings", catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")
                return
        accepted = common.now()
        common.ledger.record("booking", booking_id=booking_id, pnr=citizen["personnummer"], accepted_at=accepted)
        self.follow(booking_id, citizen["personnummer"], accepted)

    def follow(self, booking_id: str, pnr: str, accepted: float) -> None:
        deadline = time.monotonic() + FOLLOW_TIMEOUT
        decided = False
        while time.monotonic() < deadline:
            gevent.sleep(POLL_SECONDS)
            answer = self.client.get(f"/dispatch/api/bookings/{booking_id}", name="poll: /dispatch/api/bookings/[id]")
            if answer.status_code != 200:
                continue
            view = answer.json()
            if view["status"] == "pending":
                continue
            if not decided:
                decided = True
                common.fire(self.environment, "E2E booking→decision", (common.now() - accepted) * 1000)
            if view["outcome"] not in DIGITAL:
                return
            if any(s["kind"] == "addmessage" and s["state"] == "done" for s in view["steps"]):
                common.fire(self.environment, "E2E booking→inbox", self.stored_after(pnr, booking_id, accepted))
                return
        common.fire(
            self.environment,
            "E2E booking→inbox",
            FOLLOW_TIMEOUT * 1000,
            exception=TimeoutError(f"booking {booking_id} not delivered within {FOLLOW_TIMEOUT:.0f} s"),
        )

    def stored_after(self, pnr: str, booking_id: str, accepted: float) -> float:
        """Milliseconds from accepted to the message's received_at (real time)."""
        seen = common.now()
        if not self.real_time_clock:
            return (seen - accepted) * 1000
        inbox = self.client.get(f"/api/citizens/{pnr}/inbox", name="poll: /api/citizens/[pnr]/inbox")
        for thread in inbox.json().get("threads", []) if inbox.status_code == 200 else []:
            for message in thread["messages"]:
                if (message.get("booking") or {}).get("booking_id") == booking_id:
                    received = dt.datetime.fromisoformat(message["received_at"]).timestamp() - self.offset
                    return max(0.0, received - accepted) * 1000
        return (seen - accepted) * 1000
