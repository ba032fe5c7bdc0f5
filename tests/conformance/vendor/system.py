"""The vendor's kallelse system: bookings in memory, a list of timed jobs on the
simulator's clock, and the channel decision written straight from guideline-rules.md.

``on(name)`` asks whether a switch (switches.py) is set; every defect and variant is read
at exactly one place."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
import tomllib
import uuid
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.conformance.vendor import message, rivta
from tests.conformance.vendor.rivta import Payload, Unavailable, first, flag, text

SWEDEN = message.SWEDEN
UTC = dt.UTC
OID_PNR, OID_SAMORDNING, OID_RESERV = "1.2.752.129.2.1.3.1", "1.2.752.129.2.1.3.3", "1.2.752.74.9.1"
LOGICAL_ADDRESSES = {
    "GetPersonsForProfile": "SE165565594230-1000",
    "GetUserProfile": "SE2321000016-MVK",
    "AddMessage": "SE2321000016-MVK",
    "GetMessageStatus": "SE2321000016-MVK",
}
OTHER_CONSUMER = "SE2321000065-SHARED"
DEREGISTERED_DECEASED = "AV"


def read_profile(path: Path) -> dict:
    """The region's rule parameters from its profile file (the shared TOML format)."""
    raw = tomllib.loads(path.read_text("utf-8"))
    return {"key": raw["region"]["id"], **raw["rules"], **raw["reporting"]}


@dataclasses.dataclass
class Booking:
    data: dict
    business_object_id: str
    status: str = "pending"  # pending / dispatched / cancelled / manual
    digital: bool = False  # an AddMessage was accepted for the thread
    digital_only: bool = False
    paper: int = 0
    person: dict | None = None
    account: dict | None = None
    sent_at: dt.datetime | None = None

    @property
    def pnr(self) -> str:
        return self.data["personnummer"]

    @property
    def visit(self) -> dt.datetime | None:
        start = self.data.get("visit_start")
        return dt.datetime.fromisoformat(start) if start else None


@dataclasses.dataclass(order=True)
class Job:
    due: dt.datetime
    seq: int
    booking_id: str = dataclasses.field(compare=False)
    kind: str = dataclasses.field(compare=False)
    args: dict = dataclasses.field(compare=False, default_factory=dict)


class System:
    """One vendor installation: its consumer HSA-id, its region profile, its switches."""

    def __init__(self, simulator: str, consumer: str, profile: dict, switches: frozenset[str] = frozenset()):
        self.sim = simulator.rstrip("/")
        self.consumer = consumer
        self.profile = profile
        self.switches = switches
        self.http = requests.Session()
        # the vendor's own HTTP client settings: connect failures and idempotent reads are
        # retried (a kept-alive connection can be closed under it); a SOAP POST never is
        retry = Retry(total=3, status=0, backoff_factor=0.2, raise_on_status=False)
        self.http.mount("http://", HTTPAdapter(pool_maxsize=16, max_retries=retry))
        self.lock = threading.RLock()
        self.bookings: dict[str, Booking] = {}
        self.jobs: list[Job] = []
        self.running = 0
        self.sms: list[dict] = []
        self._seq = itertools.count()

    def on(self, name: str) -> bool:
        return name in self.switches

    # --- time and jobs -------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.http.get(f"{self.sim}/api/clock", timeout=30).json()["now"])

    def schedule(self, due: dt.datetime, booking_id: str, task: str, **args) -> None:
        with self.lock:
            self.jobs.append(Job(due, next(self._seq), booking_id, task, args))

    def take_due(self, now: dt.datetime) -> list[Job]:
        with self.lock:
            due = sorted(j for j in self.jobs if j.due <= now)
            self.jobs = [j for j in self.jobs if j.due > now]
            self.running += len(due)
            return due

    def finished(self, count: int) -> None:
        with self.lock:
            self.running -= count

    def idle(self, now: dt.datetime) -> bool:
        with self.lock:
            return self.running == 0 and not any(j.due <= now for j in self.jobs)

    def run(self, jobs: list[Job], now: dt.datetime) -> None:
        dispatches = [j for j in jobs if j.kind == "dispatch"]
        if dispatches and self.on("batch_pu_lookups"):
            self.prefetch([self.bookings[j.booking_id] for j in dispatches])
        for job in jobs:
            getattr(self, "job_" + job.kind)(self.bookings[job.booking_id], now, **job.args)

    # --- the adapter's commands --------------------------------------------------------------
    def book(self, data: dict) -> tuple[Booking, bool]:
        with self.lock:
            if data["booking_id"] in self.bookings:
                return self.bookings[data["booking_id"]], False
            booking = Booking(data, f"{self.consumer}-{uuid.uuid4().hex[:12]}")
            self.bookings[data["booking_id"]] = booking
        self.schedule(self.now(), data["booking_id"], "dispatch")
        return booking, True

    def drop_jobs(self, booking: Booking, kinds: tuple[str, ...]) -> None:
        with self.lock:
            self.jobs = [j for j in self.jobs if j.booking_id != booking.data["booking_id"] or j.kind not in kinds]

    def update(self, booking: Booking, changes: dict) -> None:
        booking.data.update(changes)
        if booking.digital:
            if self.on("new_thread_on_update"):
                booking.business_object_id = f"{self.consumer}-{uuid.uuid4().hex[:12]}"
            self.schedule(self.now(), booking.data["booking_id"], "send", kind="update")
        self.plan_reminders(booking, self.now())

    def cancel(self, booking: Booking) -> None:
        booking.status = "cancelled"
        booking.data["cancelled"] = True
        if not self.on("reminder_after_cancel"):
            self.drop_jobs(booking, ("remind", "dispatch"))
        if not self.on("fallback_after_cancel"):
            self.drop_jobs(booking, ("fallback",))
        if booking.digital:
            if self.on("cancel_in_new_thread"):
                booking.business_object_id = f"{self.consumer}-{uuid.uuid4().hex[:12]}"
            self.schedule(self.now(), booking.data["booking_id"], "send", kind="cancel")

    # --- lookups -----------------------------------------------------------------------------
    def soap(self, payload: Payload, consumer: str | None = None):
        address = LOGICAL_ADDRESSES[payload.contract]
        if payload.contract == "AddMessage" and self.on("pu_address_for_inbox"):
            address = LOGICAL_ADDRESSES["GetPersonsForProfile"]
        if payload.contract == "GetPersonsForProfile" and self.on("inbox_address_for_pu"):
            address = LOGICAL_ADDRESSES["AddMessage"]
        return rivta.call(self.http, self.sim, payload, address, consumer or self.consumer)

    def prefetch(self, bookings: list[Booking]) -> None:
        """Variant: one PU call for every booking dispatched together."""
        try:
            answer = self.soap(self.pu_request([b.pnr for b in bookings]))
        except Unavailable:
            return
        for record in (e for e in answer.iter() if isinstance(e.tag, str) and e.tag.endswith("requestedPersonRecord")):
            pnr = text(first(record, "requestedPersonalIdentity"), "extension")
            for booking in bookings:
                if booking.pnr == pnr:
                    booking.person = self.person_from(record)

    def pu_request(self, pnrs: list[str]) -> Payload:
        payload = Payload("GetPersonsForProfile")
        for pnr in pnrs:
            person = payload.add(None, "personId")
            payload.add(person, "root", identity_root(pnr), core=True)
            payload.add(person, "extension", pnr, core=True)
        payload.add(None, "profile", "P3")
        payload.add(None, "ignoreReferredIdentity", False)
        return payload

    def person_from(self, record) -> dict:
        found = first(record, "personRecord")
        if found is None:
            return {"found": False}
        code = text(found, "deregistrationReasonCode") or ("" if first(found, "deregistration") is None else "?")
        protected = flag(found, "protectedPersonIndicator")
        if not self.on("only_protected_person_indicator"):
            protected = protected or flag(found, "protectedPopulationRecord")
        address = first(found, "residentialAddress")
        return {
            "found": True,
            "optout": flag(found, "optoutPaperNotification"),
            "optout_said": first(found, "optoutPaperNotification") is not None,
            "protected": protected,
            "deregistered": code,
            "address": None
            if address is None
            else {
                "street": text(address, "postalAddress2") or text(address, "postalAddress1"),
                "postal_code": text(address, "postalCode"),
                "city": text(address, "city"),
            },
        }

    def look_up_person(self, booking: Booking) -> dict:
        if booking.person is None:
            if self.on("no_pu_lookup"):
                return {"found": True, "optout": False, "protected": False, "deregistered": "", "address": None}
            consumer = OTHER_CONSUMER if self.on("pu_via_other_consumer") else None
            answer = self.soap(self.pu_request([booking.pnr]), consumer)
            booking.person = self.person_from(first(answer, "requestedPersonRecord"))
        return booking.person

    def look_up_account(self, booking: Booking) -> dict:
        if self.on("no_userprofile_lookup"):
            return {"reachable": True, "exists": True, "active": True}
        payload = Payload("GetUserProfile")
        payload.add(None, "subjectOfCare", booking.pnr)
        consumer = OTHER_CONSUMER if self.on("userprofile_via_other_consumer") else None
        answer = self.soap(payload, consumer)
        profile = first(answer, "userProfile")
        # TKB GetUserProfile: no account -> INFO without userProfile; an inactive one -> INFO
        # with a userProfile (the id only) and isActive=false
        exists = profile is not None
        active = exists and flag(answer, "isActive")
        notified = flag(profile, "hasSmsNotification") or flag(profile, "hasMailNotification") if exists else False
        if self.on("no_notifications_is_reachable"):
            notified = True
        street = text(profile, "streetAddress") if profile is not None else ""
        address = (
            {"street": street, "postal_code": text(profile, "zip"), "city": text(profile, "city")} if street else None
        )
        return {"exists": exists, "active": active, "reachable": exists and active and notified, "address": address}

    # --- the decision (CH rules) ----------------------------------------------------------------
    def job_dispatch(self, booking: Booking, now: dt.datetime, paper_sent: bool = False, attempt: int = 0) -> None:
        if booking.status == "cancelled":
            return
        try:
            if self.on("userprofile_before_pu"):
                account = self.look_up_account(booking)
                person = self.look_up_person(booking)
            else:
                person = self.look_up_person(booking)
                account = self.look_up_account(booking)
        except Unavailable as exc:
            self.lookup_failed(booking, now, paper_sent, attempt, str(exc).startswith("GetPersonsForProfile"))
            return
        booking.account = account
        if self.deregistered(person):
            if not self.on("no_manual_flag"):
                booking.status = "manual"
            return
        digital, paper, reasons = self.channels(booking, person, account, now)
        booking.status = "dispatched"
        booking.digital_only = digital and not paper and not paper_sent
        if paper and not paper_sent and self.on("paper_before_digital"):
            self.post_paper(booking, reasons)
        if digital:
            self.job_send(booking, now, kind="kallelse")
        if paper and not paper_sent and not self.on("paper_before_digital"):
            self.post_paper(booking, reasons)
        self.plan_reminders(booking, now)

    def lookup_failed(self, booking: Booking, now: dt.datetime, paper_sent: bool, attempt: int, pu: bool) -> None:
        """LK-03: never drop the kallelse - paper now, look up again later."""
        if pu and self.on("drop_on_pu_fault"):
            return
        if not paper_sent and not (not pu and self.on("no_paper_on_profile_fault")):
            self.post_paper(booking, ["LK-03"])
            paper_sent = True
        schedule = self.retry_minutes()
        if self.on("no_lookup_retry") or attempt >= len(schedule):
            return
        due = now + dt.timedelta(minutes=schedule[attempt])
        self.schedule(due, booking.data["booking_id"], "dispatch", paper_sent=paper_sent, attempt=attempt + 1)

    def retry_minutes(self) -> list[int]:
        return [2, 30, 120] if self.on("retry_schedule_slow") else list(self.profile["lookup_retry_minutes"])

    def deregistered(self, person: dict) -> bool:
        if self.on("send_to_deceased"):
            return False
        if self.on("only_deceased_is_deregistered"):
            return person["deregistered"] == DEREGISTERED_DECEASED
        return bool(person["deregistered"])

    def channels(self, booking: Booking, person: dict, account: dict, now: dt.datetime) -> tuple[bool, bool, list]:
        """(digital, paper, the rules that asked for paper)."""
        data, pnr = booking.data, booking.pnr
        reasons = []
        if self.is_minor(pnr, now):
            reasons.append("CH-03")
        if data.get("interpreter") and not self.on("ignore_interpreter"):
            reasons.append("CH-04")
        if (pnr[8].isalpha() and not self.on("ignore_reservnummer")) or (
            pnr[8].isdigit() and int(pnr[6:8]) > 60 and not self.on("ignore_samordningsnummer")
        ):
            reasons.append("CH-05")
        if data.get("physical_enclosures") and not self.on("enclosure_digital_only"):
            reasons.append("CH-12")
        if not account["reachable"]:
            if not person["optout"]:
                return False, True, ["CH-06"]
            if not account["exists"]:
                return (False, False, []) if self.on("nothing_without_account") else (False, True, ["CH-06"])
            if not account["active"]:
                return (False, False, []) if self.on("nothing_for_inactive_account") else (False, True, ["CH-08"])
            return False, True, ["CH-07"]
        if data.get("physical_enclosures") and self.on("enclosure_digital_only"):
            return True, False, []
        short = self.is_short_notice(booking, now)
        if short:
            if self.on("short_notice_drops_minor_paper"):
                reasons = [r for r in reasons if r != "CH-03"]
            if self.on("short_notice_drops_interpreter_paper"):
                reasons = [r for r in reasons if r != "CH-04"]
        optout = person["optout"] and not self.on("ignore_optout")
        if optout and self.on("optout_trumps_interpreter"):
            reasons = [r for r in reasons if r != "CH-04"]
        distant = booking.visit is not None and booking.visit - now > dt.timedelta(days=7) and person.get("optout_said")
        if not optout and not short and not (distant and self.on("no_paper_for_distant_visits")):
            reasons.append("CH-02")
        return True, bool(reasons), reasons

    def is_minor(self, pnr: str, now: dt.datetime) -> bool:
        if self.on("ignore_minors"):
            return False
        today = (now if self.on("age_on_utc_date") else now.astimezone(SWEDEN)).date()
        day = int(pnr[6:8])
        born = dt.date(int(pnr[:4]), int(pnr[4:6]), day - 60 if day > 60 else day)
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        limit = int(self.profile["minor_age"])
        return (
            age <= limit
            if self.on("birthday_is_minor") and (today.month, today.day) == (born.month, born.day)
            else age < limit
        )

    def is_short_notice(self, booking: Booking, now: dt.datetime) -> bool:
        visit, days = booking.visit, int(self.profile["short_notice_days"])
        if visit is None or self.on("ignore_short_notice"):
            return False
        if self.on("short_notice_in_whole_days"):
            return (visit.astimezone(SWEDEN).date() - now.astimezone(SWEDEN).date()).days < days
        if self.on("short_notice_inclusive"):
            return visit - now <= dt.timedelta(days=days)
        return visit - now < dt.timedelta(days=days)

    # --- outputs -----------------------------------------------------------------------------
    def job_send(self, booking: Booking, now: dt.datetime, kind: str = "kallelse", attempt: int = 0) -> None:
        """AddMessage; LK-04: INFO/ERROR -> paper, Fault -> retry in the same thread."""
        payload = self.add_message(booking, kind)
        try:
            answer = self.soap(payload)
        except Unavailable:
            if self.on("no_retry_on_fault") or attempt >= len(self.retry_minutes()):
                return
            if self.on("new_id_on_retry"):
                booking.business_object_id = f"{self.consumer}-{uuid.uuid4().hex[:12]}"
            due = now + dt.timedelta(minutes=self.retry_minutes()[attempt])
            self.schedule(due, booking.data["booking_id"], "send", kind=kind, attempt=attempt + 1)
            return
        code = text(answer, "resultCode")
        if code == "OK" and (
            (attempt and self.on("retry_sends_twice")) or (kind == "update" and self.on("update_sent_twice"))
        ):
            self.soap(self.add_message(booking, kind))
        if code == "OK":
            if kind == "kallelse":
                booking.digital, booking.sent_at = True, now
                if booking.digital_only:
                    self.plan_fallback(booking, now)
            return
        if kind == "kallelse" and not booking.paper:
            if (code == "INFO" and self.on("no_paper_on_info")) or (code == "ERROR" and self.on("no_paper_on_error")):
                return
            booking.digital_only = False
            self.post_paper(booking, ["LK-04"])

    def add_message(self, booking: Booking, kind: str) -> Payload:
        data, on = booking.data, self.on
        p = Payload("AddMessage")
        pnr = booking.pnr
        if kind == "cancel" and on("hyphen_on_cancel"):
            pnr = f"{pnr[:8]}-{pnr[8:]}"
        if kind == "cancel" and on("ten_digits_on_cancel"):
            pnr = pnr[2:]
        if kind == "update" and on("wrong_check_digit_on_update"):
            pnr = pnr[:11] + str((int(pnr[11]) + 1) % 10)
        p.add(None, "subjectOfCareId", pnr)
        case = p.add(None, "message")
        p.add(p.add(case, "caseType", core=True), "caseTypeDescription", "Kallelse", core=True)
        facility = data.get("facility") or {}
        place = p.add(case, "healthCareFacility", core=True)
        fields = [("hsaId", "hsa_id"), ("healthCareFacilityName", "name"), ("healthCareFacilityAddress", "address")]
        fields += [("healthCareFacilityPostalCode", "postal_code"), ("healthCareFacilityPostalCity", "city")]
        if not on("no_contact"):
            fields.append(("healthCareFacilityTelephone", "phone"))
        for element, key in fields:
            if facility.get(key) and not (key == "address" and on("no_facility_address")):
                p.add(place, element, facility[key], core=True)
        self.booking_element(p, case, booking, kind)
        p.add(case, "businessObjectId", booking.business_object_id, core=True)
        p.add(case, "headerText", message.header(kind), core=True)
        p.add(case, "msg", message.docbook(data, on, kind), core=True)
        p.add(None, "notify", True)
        if not on("no_source_system"):
            p.add(None, "sourceSystem", "SE2321000065-7331" if on("foreign_source_system") else self.consumer)
        return p

    def booking_element(self, p: Payload, case, booking: Booking, kind: str) -> None:
        data, on = booking.data, self.on
        element = p.add(case, "booking", core=True)
        p.add(element, "bookingId", data["booking_id"], core=True)
        if data.get("type") == "open_invitation":
            p.add(element, "isInvitation", True, core=True)
            if not on("open_invitation_unflagged"):
                p.add(element, "isOpenInvitation", True, core=True)
        else:
            p.add(element, "isInvitation", not on("not_an_invitation"), core=True)
        p.add(
            element,
            "rebookingAllowed",
            bool(data.get("rebooking_allowed", True)) or on("rebooking_always_allowed"),
            core=True,
        )
        p.add(element, "cancelBookingAllowed", bool(data.get("cancel_allowed", True)), core=True)
        if kind == "cancel" and not on("cancel_unflagged"):
            p.add(element, "cancelled", True, core=True)
        visit = booking.visit
        if visit is None and on("open_invitation_with_date"):
            visit = dt.datetime.fromisoformat(self.now().isoformat()) + dt.timedelta(days=14)
        if visit is not None and not on("no_booking_date"):
            p.add(element, "bookingDate", booking_date(visit, on), core=True)

    def post_paper(self, booking: Booking, reasons: list[str], purpose: str = "kallelse") -> None:
        person = booking.person or {}
        protected = bool(person.get("protected"))
        body = {
            "personnummer": booking.pnr,
            "booking_id": booking.data["booking_id"],
            "business_object_id": booking.business_object_id,
            "reason_rule_ids": reasons,
            "sender_facility": {"name": (booking.data.get("facility") or {}).get("name", "")},
            "protected_address_route": protected and not self.on("protected_letter_unflagged"),
            "text": message.letter(booking.data, self.on, purpose),
        }
        address = self.known_address(booking)
        if address and address.get("street") and not protected:
            body["address"] = {k: v for k, v in address.items() if v}
        answer = self.http.post(
            f"{self.sim}/api/paper-letters",
            json=body,
            timeout=30,
            headers={"x-rivta-original-serviceconsumer-hsaid": self.consumer},
        )
        if answer.status_code in (200, 201):
            booking.paper += 1

    @staticmethod
    def known_address(booking: Booking) -> dict | None:
        """The folkbokföring address from PU, else the one the 1177 user profile repeats."""
        return (booking.person or {}).get("address") or (booking.account or {}).get("address")

    # --- timers (FB, RM) ---------------------------------------------------------------------
    def plan_fallback(self, booking: Booking, sent: dt.datetime) -> None:
        if self.on("no_fallback"):
            return
        due = sent + dt.timedelta(days=int(self.profile["fallback_days"]))
        due -= dt.timedelta(hours=1) if self.on("fallback_an_hour_early") else dt.timedelta(0)
        due -= dt.timedelta(minutes=5) if self.on("fallback_minutes_early") else dt.timedelta(0)
        due += dt.timedelta(days=2) if self.on("fallback_two_days_late") else dt.timedelta(0)
        if self.on("fallback_nightly_batch"):  # the first 02:00 batch after the deadline
            night = dt.datetime.combine(due.astimezone(SWEDEN).date(), dt.time(2), SWEDEN)
            due = night if night >= due else night + dt.timedelta(days=1)
        self.schedule(due, booking.data["booking_id"], "fallback")

    def job_fallback(self, booking: Booking, now: dt.datetime) -> None:
        """FB-01/FB-02: paper only if still unread, not cancelled and the visit ahead."""
        if booking.status == "cancelled" and not self.on("fallback_after_cancel"):
            return
        if booking.visit is not None and booking.visit <= now and not self.on("fallback_after_visit"):
            return
        if self.read(booking) and not self.on("fallback_even_if_read"):
            return
        self.post_paper(booking, ["FB-01"], "påminnelse")

    def read(self, booking: Booking) -> bool:
        """GetMessageStatus: has the citizen read the thread?"""
        return self.read_time(booking) is not None

    def plan_reminders(self, booking: Booking, now: dt.datetime) -> None:
        data, visit = booking.data, booking.visit
        self.drop_jobs(booking, ("remind",))
        consent = data.get("sms_reminder_consent") or self.on("sms_without_consent")
        if not visit or not consent or self.on("no_reminders") or booking.status in ("manual", "cancelled"):
            return
        days = sorted(self.profile["reminder_days_before"], reverse=True)
        if self.on("only_first_reminder"):
            days = days[:1]
        at = dt.time.fromisoformat(self.profile["reminder_local_time"])
        if self.on("reminder_at_ten_thirty"):
            at = dt.time(10, 30)
        if self.on("sms_at_night"):
            at = dt.time(0, 5)
        for before in days:
            day = visit.astimezone(SWEDEN).date() - dt.timedelta(
                days=before + (1 if self.on("reminder_a_day_early") else 0)
            )
            due = dt.datetime.combine(day, at, SWEDEN)
            if due > now:
                for _ in range(2 if self.on("reminder_twice") else 1):
                    self.schedule(due, data["booking_id"], "remind")

    def job_remind(self, booking: Booking, now: dt.datetime) -> None:
        """RM-01 SMS (to the mobile the booking gave); RM-02 a reminder in an unread thread."""
        if booking.visit is None or booking.visit <= now:
            return
        mobile = booking.data.get("mobile") or "+46700000000"
        self.sms.append(
            {
                "personnummer": booking.pnr,
                "booking_id": booking.data["booking_id"],
                "recipient": mobile,
                "text": message.sms(booking.data, self.on),
                "sent_at": now.isoformat(),
            }
        )
        if not booking.digital or self.on("no_thread_reminder") or not self.profile.get("thread_reminder", True):
            return
        if self.read(booking) and not self.on("reminder_to_read_thread"):
            return
        if self.on("reminder_in_new_thread"):
            booking.business_object_id = f"{self.consumer}-{uuid.uuid4().hex[:12]}"
        self.job_send(booking, now, kind="reminder")

    # --- reports (RP-01, RP-02) --------------------------------------------------------------
    def report(self, booking_ids: list[str]) -> dict:
        """GET /reports: each booking's channel and read receipt, the shares over them, the
        letters avoided and what that saved at the profile's cost per letter."""
        items = []
        for booking_id in booking_ids:
            b = self.bookings.get(booking_id)
            if b is None:
                continue
            paper = bool(b.paper) and not self.on("paper_left_out_of_report")
            kind = "digital_and_paper" if b.digital and paper else "digital_only" if b.digital else "paper_only"
            read_at = None if self.on("no_read_receipts") or not b.digital else self.read_time(b)
            items.append(
                {
                    "booking_id": booking_id,
                    "channel": kind if (b.digital or b.paper) else "none",
                    "business_object_id": b.business_object_id,
                    "read": bool(read_at),
                    "read_at": read_at,
                }
            )
        total = len(items) or 1
        shares = {
            c: sum(i["channel"] == c for i in items) / total
            for c in ("digital_only", "digital_and_paper", "paper_only")
        }
        avoided = sum(i["channel"] == "digital_only" for i in items)
        r = self.profile
        per_letter = r["postage_sek"] + r["envelope_print_sek"] + r["handling_minutes"] * r["staff_cost_sek_per_minute"]
        return {
            "items": items,
            "shares": shares,
            "paper_letters_avoided": avoided,
            "savings_sek": round(avoided * per_letter, 2),
        }

    def read_time(self, booking: Booking) -> str | None:
        payload = Payload("GetMessageStatus")
        payload.add(None, "subjectOfCareId", booking.pnr)
        payload.add(None, "businessObjectId", booking.business_object_id)
        try:
            answer = self.soap(payload)
        except Unavailable:
            return None
        times = sorted(
            (e.text or "").strip() for e in answer.iter() if isinstance(e.tag, str) and e.tag.endswith("readTime")
        )
        times = [t for t in times if t]
        return times[0] if times else None


def identity_root(pnr: str) -> str:
    if pnr[8].isalpha():
        return OID_RESERV
    return OID_SAMORDNING if int(pnr[6:8]) > 60 else OID_PNR


def booking_date(visit: dt.datetime, on) -> str:
    """bookingDate: Swedish local time without a zone, or a zoned instant (variants)."""
    if on("booking_date_utc_zoned"):
        return visit.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if on("booking_date_offset"):
        return visit.astimezone(SWEDEN).isoformat(timespec="seconds")
    if on("booking_date_utc_unzoned"):
        return visit.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return visit.astimezone(SWEDEN).strftime("%Y-%m-%dT%H:%M:%S")
