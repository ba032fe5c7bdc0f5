"""Timer rules on the shared timeline: fallback paper (FB-01, FB-02), SMS reminders
(RM-01) and their texts (MC-12), and reminders in the 1177 thread (RM-02)."""

from __future__ import annotations

import datetime as dt

from conformance.checks import wirerules
from conformance.scenario import SWEDEN, Scenario

REMINDER_MOBILE = "+46709876543"
EVENING = dt.time(23, 0)
# RM-01's accepted window around the profile's reminder_local_time (docs/conformance.md)
WINDOW_BEFORE = dt.timedelta(hours=1)
WINDOW_AFTER = dt.timedelta(hours=3)


def after(letters: list[dict], t0: dt.datetime) -> list[dict]:
    """Letters sent after T0 (fallback paper), by the outbox's received_at / sent_at."""
    found = []
    for letter in letters:
        stamp = letter.get("received_at") or letter.get("sent_at")
        if stamp and dt.datetime.fromisoformat(stamp) > t0:
            found.append(letter)
    return found


class Fallback(Scenario):
    rules = ("FB-01",)
    clock = True

    def start(self) -> None:
        self.pnr = self.citizen(optout=True)
        self.show_booking("FB-01", self.book(self.booking(self.pnr, days=10)))
        found = self.delivered(self.pnr, True, None)
        self.digital_only = bool(found.add_messages) and not found.letters
        self.show_delivery("FB-01", "at dispatch", found)
        if not self.digital_only:
            self.j("FB-01").not_applicable(
                "The vendor did not send this kallelse digital-only (CH-01), so there is no fallback to judge."
            )

    def checkpoints(self):
        if not self.digital_only:
            return []
        self.deadline = self.run.t0 + dt.timedelta(days=self.run.profile.fallback_days)
        return [
            (self.deadline - dt.timedelta(minutes=1), self.before_deadline),
            (self.deadline + dt.timedelta(days=1), self.after_deadline),
        ]

    def before_deadline(self) -> None:
        letters = self.letters(self.pnr)
        self.j("FB-01").expect(
            not letters,
            f"unread for {self.run.profile.fallback_days} days less a minute: no paper yet",
            f"{len(letters)} paper letter(s)",
        )

    def after_deadline(self) -> None:
        found = self.delivered(self.pnr, None, True)
        self.j("FB-01").expect(
            len(found.letters) == 1,
            f"unread {self.run.profile.fallback_days} days: one fallback paper letter by a day after the deadline "
            f"({self.deadline.isoformat()})",
            f"{len(found.letters)} paper letter(s)",
        )
        early = [x for x in found.letters if not after([x], self.deadline - dt.timedelta(seconds=1))]
        self.j("FB-01").expect(
            not early, "the fallback letter sent no earlier than the deadline", f"{len(early)} letter(s) before it"
        )
        self.show_delivery("FB-01", "after the fallback time", found)


class NoFallback(Scenario):
    """FB-02: read in time, cancelled, visit passed - no fallback paper after dispatch."""

    rules = ("FB-02",)
    clock = True

    def start(self) -> None:
        j = self.j("FB-02")
        self.cases = {
            "read in time": self.citizen(optout=True),
            "cancelled": self.citizen(optout=True),
            "visit passed": self.citizen(optout=True),
        }
        bookings = {
            label: self.book(self.booking(pnr, days=10 if label != "visit passed" else 1))
            for label, pnr in self.cases.items()
        }
        for label, booking in bookings.items():
            self.show_booking("FB-02", booking, f"{label}: booking")
        messages = self.eventually(lambda: self.messages(self.cases["read in time"]), bool)
        if messages:
            self.run.sim.read_as_citizen(self.cases["read in time"], messages[0]["message_id"])
            j.note("read in time: the citizen opened the message", at=self.run.began().isoformat())
        else:
            j.note("read in time: not judged", "No message reached the inbox, so the citizen could not read it.")
            del self.cases["read in time"]
        self.delivered(self.cases["cancelled"], True, None)
        self.run.adapter.cancel(bookings["cancelled"]["booking_id"])
        self.settle()

    def checkpoints(self):
        days = dt.timedelta(days=self.run.profile.fallback_days + 1)
        return [(self.run.began() + days, self.judge)]

    def judge(self) -> None:
        for label, pnr in self.cases.items():
            found = self.delivered(pnr, None, None)
            late = after(found.letters, self.run.began())
            self.j("FB-02").expect(not late, f"{label}: no fallback paper", f"{len(late)} letter(s) after dispatch")
            self.show_delivery("FB-02", label, found)


class Reminders(Scenario):
    """RM-01 in each reminder day's window (WINDOW_BEFORE before to WINDOW_AFTER after the
    profile's reminder_local_time): none just before it, the day's SMS by its end, never a
    second; none for a cancelled booking or a patient without consent. MC-12 on the texts."""

    rules = ("RM-01", "MC-12")
    clock = True

    def start(self) -> None:
        self.visit_day = self.run.local_t0().date() + dt.timedelta(days=10)
        fields = {"sms_reminder_consent": True, "mobile": REMINDER_MOBILE}
        self.pnr, self.cancelled, self.no_consent = self.citizen(), self.citizen(), self.citizen()
        self.bookings = [self.book(self.booking(pnr, days=10, **fields)) for pnr in (self.pnr, self.cancelled)]
        unasked = self.book(self.booking(self.no_consent, days=10, sms_reminder_consent=False, mobile=REMINDER_MOBILE))
        for rule in self.rules:
            self.show_booking(rule, self.bookings[0])
        self.show_booking("RM-01", self.bookings[1], "booking cancelled at once")
        self.show_booking("RM-01", unasked, "booking of a patient who did not ask for SMS")
        self.delivered(self.cancelled, True, None)
        self.run.adapter.cancel(self.bookings[1]["booking_id"])
        self.settle()
        if self.run.adapter.info().sms == "none":
            self.j("RM-01").expect(
                False, "SMS reminders to a patient who asked for them", "the adapter declares the system sends no SMS"
            )

    def window(self, days_before: int) -> tuple[dt.datetime, dt.datetime]:
        day = self.visit_day - dt.timedelta(days=days_before)
        at = dt.datetime.combine(day, self.run.profile.reminder_local_time, tzinfo=SWEDEN)
        return at - WINDOW_BEFORE, at + WINDOW_AFTER

    def checkpoints(self):
        days = sorted(self.run.profile.reminder_days_before, reverse=True)
        points = []
        for index, before in enumerate(days):
            opens, closes = self.window(before)
            points.append(
                (
                    opens - dt.timedelta(minutes=1),
                    lambda n=index, b=before: self.count(n, f"just before the window of {b} days before the visit"),
                )
            )
            points.append(
                (
                    closes,
                    lambda n=index + 1, b=before: self.count(n, f"at the end of the window {b} days before the visit"),
                )
            )
        last = dt.datetime.combine(self.visit_day - dt.timedelta(days=days[-1]), EVENING, tzinfo=SWEDEN)
        points.append((last, self.texts_and_cancelled))
        return points

    def count(self, expected: int, when: str) -> None:
        sent = self.sms(self.pnr)
        self.j("RM-01").expect(
            len(sent) == expected, f"{when}: {expected} SMS reminder(s) in total", f"{len(sent)} SMS"
        )
        self.j("RM-01").note(f"SMS reported by the adapter, {when}", _dump(sent), kind="record")

    def texts_and_cancelled(self) -> None:
        days = len(self.run.profile.reminder_days_before)
        self.count(days, "the evening of the last reminder day")
        sent = self.sms(self.cancelled)
        self.j("RM-01").expect(not sent, "no SMS reminder for the cancelled booking", f"{len(sent)} SMS")
        unasked = self.sms(self.no_consent)
        self.j("RM-01").expect(
            not unasked, "no SMS to the patient who did not ask for reminders", f"{len(unasked)} SMS"
        )
        texts = [(f"SMS to {s.get('recipient') or 'the patient'}", s.get("text", "")) for s in self.sms(self.pnr)]
        texts += [
            (f"1177 {n['channel']} notification", " ".join(filter(None, (n.get("subject"), n.get("text")))))
            for n in self.run.sim.notifications(self.pnr)
        ]
        wirerules.mc12(self.j("MC-12"), texts, wirerules.visit_words(self.bookings[0]))


class ThreadReminder(Scenario):
    """RM-02: a reminder joins the 1177 thread only while its last message is unread."""

    rules = ("RM-02",)
    clock = True

    def start(self) -> None:
        fields = {"sms_reminder_consent": True, "mobile": REMINDER_MOBILE}
        self.unread, read = self.citizen(optout=True), self.citizen(optout=True)
        for pnr in (self.unread, read):
            self.show_booking("RM-02", self.book(self.booking(pnr, days=10, **fields)))
        messages = self.eventually(lambda: self.messages(read), bool)
        if messages:
            self.run.sim.read_as_citizen(read, messages[0]["message_id"])
        self.read: str | None = read if messages else None  # None: the read case is not judged
        self.visit_day = self.run.local_t0().date() + dt.timedelta(days=10)

    def checkpoints(self):
        first = max(self.run.profile.reminder_days_before)
        when = dt.datetime.combine(self.visit_day - dt.timedelta(days=first), EVENING, tzinfo=SWEDEN)
        return [(when, self.judge)]

    def judge(self) -> None:
        j = self.j("RM-02")
        found = self.delivered(self.unread, True, None)
        ids = {m.business_object_id for m in found.add_messages}
        j.expect(
            len(ids) == 1,
            "unread thread: every message (kallelse and any reminder) in one thread",
            f"{len(found.add_messages)} AddMessage(s) in thread(s) {sorted(map(str, ids))}",
        )
        self.show_delivery("RM-02", "unread kallelse, first reminder day", found)
        if self.read is None:
            j.note("read thread: not judged", "No message reached the inbox, so the citizen could not read it.")
            return
        read = self.delivered(self.read, True, None)
        j.expect(
            len(read.add_messages) == 1,
            "read thread: no reminder added to it",
            f"{len(read.add_messages)} AddMessage(s)",
        )
        self.show_delivery("RM-02", "read kallelse, first reminder day", read)


def _dump(value) -> str:
    from conformance.scenario import dump

    return dump(value)


SCENARIOS: list[type[Scenario]] = [Fallback, NoFallback, Reminders, ThreadReminder]
