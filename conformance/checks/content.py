"""Message content rules, judged on what the vendor sent (the AddMessage requests in the
recorded traffic), so a 1177 refusal of one field never hides another rule's verdict."""

from __future__ import annotations

import datetime as dt
import re

from conformance import wire
from conformance.checks import wirerules
from conformance.scenario import FACILITY, FORM_URL, PREPARATIONS, SWEDEN, VISIT_TYPE, Delivery, Scenario
from regions import MONTHS


def date_forms(local: dt.datetime) -> list[str]:
    """Ways a letter writes the visit date: 2026-12-01, 1 december 2026, 1/12."""
    return [local.date().isoformat(), f"{local.day} {MONTHS[local.month - 1]}", f"{local.day}/{local.month}"]


def time_forms(local: dt.datetime) -> list[str]:
    return [f"{local:%H:%M}", f"{local:%H.%M}", f"{local.hour}.{local:%M}"]


def contains_any(text: str, forms: list[str]) -> bool:
    lowered = text.lower()
    return any(form.lower() in lowered for form in forms)


def same_words(seen: str, wanted: str) -> bool:
    """A structured field that says the same as the booking (spacing, hyphens, case aside)."""

    def norm(value: str) -> str:
        return re.sub(r"[\s-]", "", value).lower()

    return bool(seen) and norm(seen) == norm(wanted)


def same_instant(sent: str, visit: dt.datetime) -> bool:
    """xs:dateTime compared as an instant, to the minute: a zoned value as written, an
    unzoned one as Swedish local time (how 1177 shows it)."""
    try:
        value = dt.datetime.fromisoformat(sent.replace("Z", "+00:00"))
    except ValueError:
        return False
    if value.tzinfo is None:
        value = value.replace(tzinfo=SWEDEN)
    return abs(value - visit) < dt.timedelta(minutes=1)


def messages(requests: list) -> list:
    found = [wire.add_message(r) for r in requests if r.contract == "AddMessage"]
    return [m for m in found if m is not None]


def count_add_messages(requests: list) -> int:
    return len(messages(requests))


class Kallelse(Scenario):
    """One complete kallelse (digital and paper): the request rules MC-01..MC-04 and the
    content rules MC-05, MC-06, MC-08 and MC-11 on its first AddMessage."""

    rules = ("MC-01", "MC-02", "MC-03", "MC-04", "MC-05", "MC-06", "MC-08", "MC-11")

    def start(self) -> None:
        pnr, second = self.citizen(), self.citizen()
        booking = self.book(
            self.booking(pnr, rebooking_allowed=False, cancel_allowed=True, performer_name="Leg. BMA Eva Ek")
        )
        changed = self.book(self.booking(second))
        found = self.delivered(pnr, True, None)
        for rule in self.rules:
            self.show_booking(rule, booking)
        later = self.update_and_cancel(second, changed)
        requests = self.requests_about(pnr) + later
        info = self.run.adapter.info()
        wirerules.mc01(self.j("MC-01"), requests, info.logical_addresses or wirerules.LOGICAL_ADDRESSES)
        wirerules.mc02(self.j("MC-02"), found.add_messages)
        wirerules.mc03(self.j("MC-03"), found.add_messages, info.own_source_systems())
        wirerules.mc04(self.j("MC-04"), requests)
        first = found.add_messages[0] if found.add_messages else None
        for rule in ("MC-05", "MC-06", "MC-08", "MC-11"):
            if first is None:
                self.j(rule).expect(False, "an AddMessage for the kallelse", "none")
            else:
                self.j(rule).note(
                    "the kallelse's AddMessage request", first.request.body, kind="soap", at=first.request.at
                )
        if first is None:
            return
        self.mc05(first, booking)
        self.mc06(first, booking)
        links = first.links()
        self.j("MC-08").expect(
            FACILITY["directions_url"] in links, f"a link to {FACILITY['directions_url']} (hitta hit)", f"links {links}"
        )
        self.j("MC-11").expect(FORM_URL in links, f"a link to the form {FORM_URL}", f"links {links}")

    def update_and_cancel(self, pnr: str, booking: dict) -> list:
        """A second patient's kallelse, update and cancellation: every request about them,
        found also where the vendor spelled the personnummer wrongly (MC-01, MC-04)."""
        self.delivered(pnr, True, None)
        self.run.adapter.update(booking["booking_id"], {"visit_start": self.visit(15, hour=13)})
        self.eventually(lambda: self.requests(pnr), lambda rs: count_add_messages(rs) >= 2)
        self.run.adapter.cancel(booking["booking_id"])
        self.eventually(lambda: self.requests(pnr), lambda rs: any(m.cancelled for m in messages(rs)))
        self.settle()
        return self.requests_about(pnr)

    def mc05(self, message, booking: dict) -> None:
        j = self.j("MC-05")
        text = message.plain_text()
        local = dt.datetime.fromisoformat(booking["visit_start"]).astimezone(SWEDEN)
        facts = {
            "visit date": (date_forms(local), None),
            "visit time": (time_forms(local), None),
            "facility name": ([FACILITY["name"]], "healthCareFacilityName"),
            "facility address": ([FACILITY["address"]], "healthCareFacilityAddress"),
            "type of visit": ([VISIT_TYPE], None),
            "preparations": ([PREPARATIONS], None),
            "contact": ([FACILITY["phone"]], "healthCareFacilityTelephone"),
        }
        for fact, (forms, element) in facts.items():
            where = "msg" if contains_any(text, forms) else None
            if where is None and element and same_words(message.facility.get(element, ""), forms[0]):
                where = f"healthCareFacility/{element}"
            j.expect(
                where is not None,
                f"the {fact} in the digital kallelse ({forms[0]!r}"
                + (f", in msg or healthCareFacility/{element})" if element else ", in msg)"),
                f"present in {where}" if where else "missing",
            )
        j.note("the digital kallelse as text", text)
        j.note("healthCareFacility as sent", ", ".join(f"{k}={v}" for k, v in message.facility.items()))

    def mc06(self, message, booking: dict) -> None:
        j = self.j("MC-06")
        element = message.booking
        local = dt.datetime.fromisoformat(booking["visit_start"]).astimezone(SWEDEN).replace(tzinfo=None)
        wanted = {
            "bookingId": booking["booking_id"],
            "isInvitation": "true",
            "rebookingAllowed": "false",
            "cancelBookingAllowed": "true",
        }
        for name, value in wanted.items():
            j.expect(element.get(name) == value, f"booking/{name} = {value}", f"{element.get(name)!r}")
        sent = element.get("bookingDate") or ""
        j.expect(
            same_instant(sent, dt.datetime.fromisoformat(booking["visit_start"])),
            f"booking/bookingDate = the visit {local:%Y-%m-%dT%H:%M} (Swedish time; a zoned value as the same instant)",
            f"{sent!r}",
        )


class OpenInvitation(Scenario):
    rules = ("MC-07",)

    def start(self) -> None:
        pnr = self.citizen()
        booking = self.book(self.booking(pnr, type="open_invitation"))
        self.show_booking("MC-07", booking)
        found = self.delivered(pnr, True, None)
        j = self.j("MC-07")
        if not j.expect(
            bool(found.add_messages), "an AddMessage for the open invitation", f"{len(found.add_messages)}"
        ):
            return
        element = found.add_messages[0].booking
        j.expect(
            element.get("isOpenInvitation") == "true",
            "booking/isOpenInvitation = true",
            f"{element.get('isOpenInvitation')!r}",
        )
        j.expect("bookingDate" not in element, "no booking/bookingDate", f"{element.get('bookingDate')!r}")
        self.show_requests("MC-07", "open invitation", [found.add_messages[0].request])


class Thread(Scenario):
    """MC-09/MC-10: a kallelse, an update to a new time and a cancellation."""

    rules = ("MC-09", "MC-10")

    def start(self) -> None:
        pnr = self.citizen(optout=True)
        booking = self.book(self.booking(pnr))
        self.delivered(pnr, True, None)
        changes = {"visit_start": self.visit(15, hour=13)}
        self.run.adapter.update(booking["booking_id"], changes)
        self.eventually(lambda: self.delivered(pnr, True, None), lambda f: len(f.add_messages) >= 2)
        self.run.adapter.cancel(booking["booking_id"])
        self.eventually(lambda: self.delivered(pnr, True, None), lambda f: any(m.cancelled for m in f.add_messages))
        self.settle()
        found = Delivery(self.requests_about(pnr), self.letters(pnr))
        for rule in self.rules:
            self.show_booking(rule, booking)
            self.j(rule).note("update sent to the vendor", re.sub(r"\s+", " ", str(changes)))
            self.show_delivery(rule, "kallelse, update, cancellation", found)
        messages = found.add_messages
        accepted = [m for m in messages if m.request.record.get("outcome") == "ok"]
        self.j("MC-09").expect(
            len({m.request.body for m in messages}) >= 3 and len(accepted) <= 3,
            "the thread's three messages sent (kallelse, update, cancellation) and no more than three accepted "
            "(no copy)",
            f"{len(messages)} AddMessage(s) sent, {len(accepted)} accepted",
        )
        self.j("MC-10").expect(
            any(m.cancelled for m in messages),
            "a cancellation with booking/cancelled=true",
            "none" if not any(m.cancelled for m in messages) else "present",
        )
        wirerules.threads(self.j("MC-09"), self.j("MC-10"), messages)


SCENARIOS: list[type[Scenario]] = [Kallelse, OpenInvitation, Thread]
