"""Channel decision rules CH-01..CH-12: one patient (or a few) per rule, set up so that
only the rule under test decides the expected channels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conformance import people
from conformance.scenario import SWEDEN, Scenario

ENCLOSURE = "Provrör för blodprov (skickas med posten)"


class SimpleChannel(Scenario):
    """Book one kallelse for one patient and expect the channels the rule says."""

    citizen_kwargs: dict = {}
    booking_kwargs: dict = {}
    label = ""
    digital: bool | None = None
    paper: bool | None = None

    def start(self) -> None:
        pnr = self.citizen(**self.citizen_kwargs)
        booking = self.book(self.booking(pnr, **self.booking_kwargs))
        rule = self.rules[0]
        self.show_booking(rule, booking)
        self.expect_channels(rule, pnr, self.label, self.digital, self.paper)
        self.show_vendor_record(rule, booking["booking_id"])


# name, rule, the patient, the booking, expected AddMessage / paper (None: not judged)
Case = tuple[str, str, str, dict[str, Any], dict[str, Any], bool | None, bool | None]
SIMPLE: tuple[Case, ...] = (
    ("ReachableNotOptedOut", "CH-02", "digitally reachable adult, not opted out", {}, {}, True, True),
    (
        "Interpreter",
        "CH-04",
        "opted-out reachable adult who needs an interpreter",
        {"optout": True},
        {"interpreter": True, "interpreter_language": "arabiska"},
        True,
        True,
    ),
    (
        "NoAccount",
        "CH-06",
        "opted-out adult without a 1177 account",
        {"optout": True, "account": "none"},
        {},
        None,
        True,
    ),
    (
        "NoNotifications",
        "CH-07",
        "opted-out adult whose account has no notification",
        {"optout": True, "account": "no_notifications"},
        {},
        None,
        True,
    ),
    (
        "InactiveAccount",
        "CH-08",
        "opted-out adult with an inactive account",
        {"optout": True, "account": "inactive"},
        {},
        None,
        True,
    ),
    (
        "Enclosures",
        "CH-12",
        "opted-out reachable adult, kallelse with a physical enclosure",
        {"optout": True},
        {"physical_enclosures": [ENCLOSURE]},
        None,
        True,
    ),
)


def simple(name, rule, label, citizen, booking, digital, paper) -> type[SimpleChannel]:
    return type(
        name,
        (SimpleChannel,),
        {
            "rules": (rule,),
            "label": label,
            "citizen_kwargs": citizen,
            "booking_kwargs": booking,
            "digital": digital,
            "paper": paper,
        },
    )


ReachableNotOptedOut, Interpreter, NoAccount, NoNotifications, InactiveAccount, Enclosures = (
    simple(*row) for row in SIMPLE
)


class OptedOutReachable(Scenario):
    """CH-01 for every way of being reachable: notifications by SMS and e-mail, SMS only,
    e-mail only (guideline-rules.md, "Digitally reachable": at least one of them)."""

    rules = ("CH-01",)
    ACCOUNTS = {"SMS and e-mail": "reachable", "SMS only": "sms_only", "e-mail only": "email_only"}

    def start(self) -> None:
        pnrs = {label: self.citizen(optout=True, account=account) for label, account in self.ACCOUNTS.items()}
        for label, pnr in pnrs.items():
            self.show_booking("CH-01", self.book(self.booking(pnr)), f"{label}: booking")
        for label, pnr in pnrs.items():
            self.expect_channels("CH-01", pnr, f"opted-out adult notified by {label}", True, False)


class OtherIdentities(Scenario):
    """CH-05: a samordningsnummer and a reservnummer each get paper as well."""

    rules = ("CH-05",)

    def start(self) -> None:
        pnrs = {
            identity: self.citizen(optout=True, identity=identity) for identity in ("samordningsnummer", "reservnummer")
        }
        for identity, pnr in pnrs.items():
            self.show_booking("CH-05", self.book(self.booking(pnr)), f"{identity}: booking")
        for identity, pnr in pnrs.items():
            self.expect_channels("CH-05", pnr, f"opted-out reachable adult with a {identity}", True, True)


class Minors(Scenario):
    """CH-03 at its boundary: turning 18 tomorrow is a minor (paper as well); turning 18
    today is an adult, so gets exactly what an adult control patient gets. Judged at T0 and
    again for kallelser dispatched at 00:00 Swedish time on the birthday, when the UTC date
    is still the day before."""

    rules = ("CH-03",)
    clock = True

    def start(self) -> None:
        self.judge_birthdays(self.run.local_t0().date(), "")

    def checkpoints(self):
        midnight = dt.datetime.combine(self.run.local_t0().date() + dt.timedelta(days=2), dt.time(0), tzinfo=SWEDEN)
        return [(midnight, lambda: self.judge_birthdays(midnight.date(), " (dispatched at 00:00 Swedish time)"))]

    def judge_birthdays(self, today: dt.date, when: str) -> None:
        age = self.run.profile.minor_age
        patients = {
            f"turns {age} tomorrow{when}": people.years_before(today, age) + dt.timedelta(days=1),
            f"turns {age} today{when}": people.years_before(today, age),
            f"adult control{when}": None,
        }
        minor, birthday, control = patients
        pnrs = {}
        for label, born in patients.items():
            pnrs[label] = self.citizen(born=born, optout=True)
            self.show_booking("CH-03", self.book(self.booking(pnrs[label])), f"{label}: booking")
        self.expect_channels("CH-03", pnrs[minor], f"opted-out reachable patient who {minor}", True, True)
        found = {label: self.delivered(pnrs[label], True, None) for label in (birthday, control)}
        today_channels, control_channels = (sorted(self.channels(found[k])) for k in (birthday, control))
        self.j("CH-03").expect(
            today_channels == control_channels,
            f"the patient who {birthday} gets what the adult control gets ({', '.join(control_channels) or 'nothing'})",
            ", ".join(today_channels) or "nothing",
        )
        for label, delivery in found.items():
            self.show_delivery("CH-03", label, delivery)


class ShortNotice(Scenario):
    """CH-09 at its boundary (the visit exactly short_notice_days after dispatch is not
    short notice; a minute less is), and CH-09's "then both" for a minor and an
    interpreter patient. All reachable and not opted out, so paper means CH-02 applies."""

    rules = ("CH-09",)

    def start(self) -> None:
        n = self.run.profile.short_notice_days
        days = max(n - 1, 0)
        exact = self.run.began() + dt.timedelta(days=n)
        minute = dt.timedelta(minutes=1)
        minor_born = people.years_before(self.run.local_t0().date(), self.run.profile.minor_age) + dt.timedelta(days=2)
        cases: list[tuple[str, dict[str, Any], dict[str, Any], bool | None, bool]] = [
            (f"reachable adult, visit in {days} day(s)", {}, {"days": days}, True, False),
            (f"adult without account, visit in {days} day(s)", {"account": "none"}, {"days": days}, None, True),
            (f"reachable adult, visit exactly {n} days after dispatch", {}, {"visit_start": exact}, True, True),
            (
                f"reachable adult, visit {n} days less a minute after dispatch",
                {},
                {"visit_start": exact - minute},
                True,
                False,
            ),
            (
                f"reachable adult, visit {n} days and a minute after dispatch",
                {},
                {"visit_start": exact + minute},
                True,
                True,
            ),
            (f"reachable minor, visit in {days} day(s): then both", {"born": minor_born}, {"days": days}, True, True),
            (
                f"reachable adult with an interpreter, visit in {days} day(s): then both",
                {},
                {"days": days, "interpreter": True, "interpreter_language": "somaliska"},
                True,
                True,
            ),
        ]
        booked = []
        for label, person, fields, digital, paper in cases:
            if isinstance(fields.get("visit_start"), dt.datetime):
                fields = {**fields, "visit_start": fields["visit_start"].isoformat()}
            pnr = self.citizen(**person)
            self.show_booking("CH-09", self.book(self.booking(pnr, **fields)), f"{label}: booking")
            booked.append((pnr, label, digital, paper))
        for pnr, label, digital, paper in booked:
            self.expect_channels("CH-09", pnr, label, digital, paper)


class ProtectedIdentity(Scenario):
    """CH-10: paper through the protected-address route and no address anywhere."""

    rules = ("CH-10",)

    def start(self) -> None:
        flags: dict[str, dict[str, Any]] = {
            "protectedPersonIndicator": {"protected": True},
            "protectedPopulationRecord": {"protected_population_record": True},
        }
        bodies = {flag: people.create(self.run.sim, **fields) for flag, fields in flags.items()}
        for flag, body in bodies.items():
            self.show_booking("CH-10", self.book(self.booking(body["personnummer"])), f"{flag}: booking")
        for flag, body in bodies.items():
            self.judge(body["personnummer"], body["address"]["street"], f"reachable adult with {flag}")

    def judge(self, pnr: str, street: str, label: str) -> None:
        found = self.expect_channels("CH-10", pnr, label, None, True)
        j = self.j("CH-10")
        for letter in found.letters:
            route = letter.get("protected_route", letter.get("protected_address_route"))
            j.expect(
                route is True,
                f"{label}: the letter flagged for the protected-address route",
                f"protected_address_route={route!r}",
            )
            j.expect(
                not letter.get("address"), f"{label}: no address on the letter", f"address {letter.get('address')!r}"
            )
        leaking = [r for r in found.requests if street in r.body]
        j.expect(
            not leaking,
            f"{label}: the address ({street!r}) in no request the vendor sent",
            ", ".join(f"{r.contract} at {r.at}" for r in leaking) or f"absent from {len(found.requests)} request(s)",
        )


class Deceased(Scenario):
    """CH-11 for every deregistration reason PU gives (avregistreringsorsak), not only death."""

    rules = ("CH-11",)
    REASONS = {"AV": "deceased", "UV": "emigrated", "OB": "missing", "TA": "technically deregistered", "AN": "other"}

    def start(self) -> None:
        day = (self.run.local_t0().date() - dt.timedelta(days=20)).isoformat()
        booked = {}
        for code, reason in self.REASONS.items():
            extra = {"deceased": True, "deceased_date": day} if code == "AV" else {}
            pnr = self.citizen(deregistration_code=code, **extra)
            booked[code] = (pnr, self.book(self.booking(pnr)))
            self.show_booking("CH-11", booked[code][1], f"deregistered ({code}, {reason}): booking")
        for code, (pnr, booking) in booked.items():
            self.judge(pnr, booking, f"patient deregistered as {self.REASONS[code]} ({code})")

    def judge(self, pnr: str, booking: dict, label: str) -> None:
        self.expect_channels("CH-11", pnr, label, False, False)
        status = self.run.adapter.status(booking["booking_id"])
        if status is not None:
            self.j("CH-11").expect(
                status == "manual", f"{label}: the booking flagged for manual handling", f"booking status {status!r}"
            )
        else:
            self.j("CH-11").note(
                "manual handling not checked",
                "The adapter does not report booking status (Health.booking_status false).",
            )


SCENARIOS: list[type[Scenario]] = [
    OptedOutReachable,
    ReachableNotOptedOut,
    Minors,
    Interpreter,
    OtherIdentities,
    NoAccount,
    NoNotifications,
    InactiveAccount,
    ShortNotice,
    ProtectedIdentity,
    Deceased,
    Enclosures,
]
