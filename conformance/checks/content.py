"""Message content rules, judged on what the vendor sent (the AddMessage requests in the
recorded traffic), so a 1177 refusal of one field never hides another rule's verdict."""

from __future__ import annotations

import datetime as dt
import re

from conformance.checks import wirerules
from conformance.scenario import FACILITY, FORM_URL, PREPARATIONS, SWEDEN, VISIT_TYPE, Scenario

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def date_forms(local: dt.datetime) -> list[str]:
    """Ways a letter writes the visit date: 2026-12-01, 1 december 2026, 1/12."""
    return [local.date().isoformat(), f"{local.day} {MONTHS[local.month - 1]}", f"{local.day}/{local.month}"]


def time_forms(local: dt.datetime) -> list[str]:
    return [f"{local:%H:%M}", f"{local:%H.%M}", f"{local.hour}.{local:%M}"]


def contains_any(text: str, forms: list[str]) -> bool:
    lowered = text.lower()
    return any(form.lower() in lowered for form in forms)


class Kallelse(Scenario):
    """One complete kallelse (digital and paper): the request rules MC-01..MC-04 and the
    content rules MC-05, MC-06, MC-08 and MC-11 on its first AddMessage."""

    rules = ("MC-01", "MC-02", "MC-03", "MC-04", "MC-05", "MC-06", "MC-08", "MC-11")

    def start(self) -> None:
        pnr = self.citizen()
        booking = self.book(
            self.booking(pnr, rebooking_allowed=False, cancel_allowed=True, performer_name="Leg. BMA Eva Ek")
        )
        found = self.delivered(pnr, True, None)
        for rule in self.rules:
            self.show_booking(rule, booking)
        wirerules.mc01(self.j("MC-01"), found.requests)
        wirerules.mc02(self.j("MC-02"), found.add_messages)
        wirerules.mc03(self.j("MC-03"), found.add_messages)
        wirerules.mc04(self.j("MC-04"), found.requests)
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

    def mc05(self, message, booking: dict) -> None:
        j = self.j("MC-05")
        text = message.plain_text()
        local = dt.datetime.fromisoformat(booking["visit_start"]).astimezone(SWEDEN)
        facts = {
            "visit date": date_forms(local),
            "visit time": time_forms(local),
            "facility name": [FACILITY["name"]],
            "facility address": [FACILITY["address"]],
            "type of visit": [VISIT_TYPE],
            "preparations": [PREPARATIONS],
            "contact": [FACILITY["phone"]],
        }
        for fact, forms in facts.items():
            j.expect(
                contains_any(text, forms),
                f"the {fact} in the digital kallelse ({forms[0]!r})",
                "present" if contains_any(text, forms) else "missing",
            )
        j.note("the digital kallelse as text", text)

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
            sent[:16] == local.isoformat()[:16], f"booking/bookingDate = the visit {local:%Y-%m-%dT%H:%M}", f"{sent!r}"
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
        found = self.eventually(
            lambda: self.delivered(pnr, True, None), lambda f: any(m.cancelled for m in f.add_messages)
        )
        for rule in self.rules:
            self.show_booking(rule, booking)
            self.j(rule).note("update sent to the vendor", re.sub(r"\s+", " ", str(changes)))
            self.show_delivery(rule, "kallelse, update, cancellation", found)
        messages = found.add_messages
        self.j("MC-09").expect(
            len(messages) >= 3,
            "AddMessages for the kallelse, the update and the cancellation",
            f"{len(messages)} AddMessage(s)",
        )
        self.j("MC-10").expect(
            any(m.cancelled for m in messages),
            "a cancellation with booking/cancelled=true",
            "none" if not any(m.cancelled for m in messages) else "present",
        )
        wirerules.threads(self.j("MC-09"), self.j("MC-10"), messages)


SCENARIOS = [Kallelse, OpenInvitation, Thread]
