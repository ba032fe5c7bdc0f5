"""A scenario drives the vendor through one situation and judges one or more rules.

``start()`` runs at the run's start time T0 (all scenarios side by side, each with its
own citizens). A clock scenario also returns ``checkpoints()``: (instant, action) pairs
the runner visits in time order on one shared timeline, moving the simulator clock (and
the vendor's, when it keeps its own) and letting the vendor settle before each."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from conformance import people, wire
from conformance.profiles import Expectations
from conformance.silence import Silence
from conformance.verdicts import Judgement

if TYPE_CHECKING:
    from conformance.adapter import HttpAdapter, ManualAdapter
    from conformance.simulator_api import SimulatorApi

T = TypeVar("T")  # what a scenario observes while it waits (Scenario.eventually)
SWEDEN = ZoneInfo("Europe/Stockholm")
FACILITY = {
    "hsa_id": "SE2321000065-E12",
    "name": "Klinisk fysiologi Ryhov",
    "address": "Sjukhusgatan 1",
    "postal_code": "55305",
    "city": "Jönköping",
    "phone": "010-242 00 00",
    "directions_url": "https://rjl.se/hitta-hit/klinisk-fysiologi-ryhov",
}
FORM_URL = "https://formular.example.se/halsodeklaration/arbetsprov"
VISIT_TYPE = "Arbetsprov på cykel"
SETTLE_SECONDS = 120
PREPARATIONS = "Ät en lätt måltid senast två timmar före besöket och ta med dina mediciner."


@dataclasses.dataclass
class Run:
    """What every scenario of one run shares."""

    sim: SimulatorApi
    adapter: HttpAdapter | ManualAdapter
    profile: Expectations
    consumer: str  # the vendor's HSA-id in the traffic ("" = any consumer)
    t0: dt.datetime | None = None
    tag: str = dataclasses.field(default_factory=lambda: "CF" + secrets.token_hex(3).upper())
    wait_seconds: float = 20.0  # how long a positive expectation is polled for
    silence: Silence = dataclasses.field(init=False)  # the shared "nothing arrived" deadline

    def __post_init__(self):
        self.silence = Silence(lambda: self.t0 is not None and self.sim.any_traffic(self.consumer or None, self.t0))

    def began(self) -> dt.datetime:
        """T0, the simulator time the run's scenarios start from."""
        assert self.t0 is not None, "the runner sets T0 before any scenario starts"
        return self.t0

    def local_t0(self) -> dt.datetime:
        return self.began().astimezone(SWEDEN)


class Scenario:
    rules: tuple[str, ...] = ()
    clock = False
    title = ""

    def __init__(self, run: Run):
        self.run = run
        self.judgements = {rule: Judgement(rule) for rule in self.rules}
        self._cleanups: list[Callable[[], None]] = []
        self._bookings = 0

    @property
    def name(self) -> str:
        return type(self).__name__

    def j(self, rule: str) -> Judgement:
        return self.judgements[rule]

    def start(self) -> None:
        raise NotImplementedError

    def checkpoints(self) -> list[tuple[dt.datetime, Callable[[], None]]]:
        return []

    def cleanup(self) -> None:
        for fn in reversed(self._cleanups):
            try:
                fn()
            except Exception:
                pass

    # --- setting up -----------------------------------------------------------------------
    def citizen(self, **kwargs) -> str:
        body = people.create(self.run.sim, **kwargs)
        return body["personnummer"]

    def fault(self, contract: str, pnr: str, action: dict, times: int | None = None) -> int:
        """A behaviour rule for this patient only (other scenarios are not touched)."""
        rule: dict[str, object] = {
            "match": {"contract": contract, "personnummer": pnr},
            "action": action,
            "description": f"conformance {self.run.tag} {self.name}",
        }
        if times is not None:
            rule["times"] = times
        rule_id = self.run.sim.add_behaviour(rule)
        self._cleanups.append(lambda: self.run.sim.delete_behaviour(rule_id))
        return rule_id

    def visit(self, days: float, hour: int = 10) -> str:
        """A visit ``days`` after T0's local date at ``hour`` local time (ISO with offset)."""
        day = self.run.local_t0().date() + dt.timedelta(days=int(days))
        return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SWEDEN).isoformat()

    def booking(self, pnr: str, days: float = 14, **fields) -> dict:
        self._bookings += 1
        body = {
            "booking_id": f"{self.run.tag}-{self.name[:12]}-{self._bookings}",
            "personnummer": pnr,
            "type": "kallelse",
            "profile": self.run.profile.key,
            "facility": dict(FACILITY),
            "visit_type": VISIT_TYPE,
            "preparations": PREPARATIONS,
            "form_url": FORM_URL,
        }
        body.update(fields)
        if body["type"] != "open_invitation" and "visit_start" not in body:
            body["visit_start"] = self.visit(days)
        return body

    def book(self, booking: dict) -> dict:
        self.run.adapter.book(booking)
        return booking

    def settle(self) -> None:
        if not self.run.adapter.settle(SETTLE_SECONDS):
            raise TimeoutError(f"the vendor did not report idle within {SETTLE_SECONDS} s")

    # --- observing ------------------------------------------------------------------------
    def messages(self, pnr: str) -> list[dict]:
        return self.run.sim.messages(pnr)

    def letters(self, pnr: str) -> list[dict]:
        if self.run.adapter.info().paper == "adapter":
            return self.run.adapter.sent_paper(pnr)
        return self.run.sim.letters(pnr)

    def sms(self, pnr: str) -> list[dict]:
        return self.run.adapter.sent_sms(pnr)

    def requests(self, pnr: str, contract: str | None = None) -> list[wire.Request]:
        """What the vendor sent about this patient, oldest first."""
        records = self.run.sim.traffic(personnummer=pnr, consumer=self.run.consumer or None, contract=contract)
        return [wire.parse(r) for r in records]

    def requests_about(self, pnr: str) -> list[wire.Request]:
        """Attribution: the requests indexed under the patient's personnummer plus any of the
        vendor's requests since T0 whose subject is the same person spelled otherwise (a
        hyphen, ten digits, a wrong check digit): those are judged, never lost."""
        found = {r.record["id"]: r for r in self.requests(pnr)}
        if self.run.consumer:
            for record in self.run.sim.traffic(consumer=self.run.consumer, since=self.run.t0):
                request = wire.parse(record)
                if record["id"] not in found and any(wire.same_person(s, pnr) for s in request.subjects()):
                    found[record["id"]] = request
        return [found[k] for k in sorted(found)]

    def eventually(self, observe: Callable[[], T], done: Callable[[T], bool], timeout: float | None = None) -> T:
        """Poll ``observe`` until ``done`` holds or the wait ends; the last observation."""
        deadline = time.monotonic() + (self.run.wait_seconds if timeout is None else timeout)
        self.run.silence.arm(self.run.wait_seconds)
        while True:
            value = observe()
            if done(value):
                self.run.silence.arrived()
                return value
            if time.monotonic() > deadline or self.run.silence.expired():
                return value
            time.sleep(0.4)

    def delivered(self, pnr: str, digital: bool | None, paper: bool | None) -> Delivery:
        """What reached the patient once the vendor settled and every channel expected to
        carry something does (or the wait ran out). Digital is judged on the wire: the
        AddMessage requests the vendor sent, whatever 1177 answered."""
        self.settle()

        def observe():
            return Delivery(self.requests(pnr), self.letters(pnr))

        def done(value):
            return (not digital or value.add_messages) and (not paper or value.letters)

        return self.eventually(observe, done) if (digital or paper) else observe()

    # --- judging --------------------------------------------------------------------------
    def expect_channels(self, rule: str, pnr: str, label: str, digital: bool | None, paper: bool | None) -> Delivery:
        """The channel decision: digital = an AddMessage was sent; paper = a letter. A letter
        after an AddMessage 1177 did not accept (INFO/ERROR/Fault) is LK-04's paper, so it
        does not count against "no paper"."""
        found = self.delivered(pnr, digital, paper)
        judgement = self.j(rule)
        if digital is not None:
            judgement.expect(
                bool(found.add_messages) == digital,
                f"{label}: {'an' if digital else 'no'} AddMessage to 1177",
                f"{len(found.add_messages)} AddMessage request(s)",
            )
        if paper is not None:
            seen = f"{len(found.letters)} paper letter(s)"
            ok = bool(found.letters) == paper
            if not paper and found.letters and found.refused:
                ok, seen = True, seen + f" after 1177 answered {found.refused} (LK-04 paper, not this rule's)"
            judgement.expect(ok, f"{label}: {'a' if paper else 'no'} paper letter", seen)
        self.show_delivery(rule, label, found)
        return found

    def channels(self, found: Delivery) -> set[str]:
        chosen = {"digital"} if found.add_messages else set()
        if found.letters and not found.refused:
            chosen.add("paper")
        return chosen

    def show_delivery(self, rule: str, label: str, found: Delivery) -> None:
        """Evidence: the letters, what the 1177 inbox stored, and every request the vendor
        sent about the patient (with the answers its lookups got: its decision inputs)."""
        judgement = self.j(rule)
        judgement.note(
            f"{label}: paper letters ({len(found.letters)})",
            dump([letter_summary(letter) for letter in found.letters]),
            kind="record",
        )
        pnr = next((s for r in found.requests for s in r.subjects()), None)
        if pnr:
            judgement.note(
                f"{label}: what the 1177 inbox stored",
                dump([message_summary(m) for m in self.messages(pnr)]),
                kind="record",
            )
        self.show_requests(rule, label, found.requests)

    def show_vendor_record(self, rule: str, booking_id: str) -> None:
        """The vendor's own account of the booking (its decision), when the adapter gives one."""
        record = self.run.adapter.record(booking_id)
        if record is not None:
            self.j(rule).note(f"the vendor's record of booking {booking_id}", dump(record), kind="record")

    def show_requests(self, rule: str, label: str, requests: list[wire.Request]) -> None:
        for request in requests:
            self.j(rule).note(f"{label}: {request.contract} request", request.body, kind="soap", at=request.at)
            if request.contract in ("GetPersonsForProfile", "GetUserProfile"):
                self.j(rule).note(
                    f"{label}: {request.contract} answer ({request.record.get('outcome')}) - decision input",
                    request.record.get("response_body") or "",
                    kind="soap",
                    at=request.at,
                )

    def show_booking(self, rule: str, booking: dict, what: str = "booking given to the vendor") -> None:
        self.j(rule).note(f"{what} ({booking['booking_id']})", dump(booking), kind="record")


@dataclasses.dataclass
class Delivery:
    """What the vendor did for one patient: its requests (recorded traffic) and the letters."""

    requests: list[wire.Request]
    letters: list[dict]

    @property
    def add_messages(self) -> list[wire.AddMessage]:
        found = [wire.add_message(r) for r in self.requests if r.contract == "AddMessage"]
        return [m for m in found if m is not None]

    @property
    def refused(self) -> str:
        """How 1177 answered AddMessages it did not accept ("" when all were OK)."""
        answers = [str(r.record.get("outcome")) for r in self.requests if r.contract == "AddMessage"]
        return ", ".join(sorted({a for a in answers if a != "ok"}))


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def message_summary(message: dict) -> dict:
    keys = (
        "message_id",
        "business_object_id",
        "received_at",
        "read_at",
        "header_text",
        "notify",
        "source_system",
        "booking",
        "docbook_violations",
    )
    return {k: message.get(k) for k in keys}


def letter_summary(letter: dict) -> dict:
    keys = (
        "letter_id",
        "booking_id",
        "business_object_id",
        "received_at",
        "reason_rule_ids",
        "protected_address_route",
        "protected_route",
        "address",
        "warnings",
    )
    return {k: letter.get(k) for k in keys if k in letter}
