"""Channel decision rules CH-01..CH-12: one patient (or a few) per rule, set up so that
only the rule under test decides the expected channels."""

from __future__ import annotations

import datetime as dt

from conformance import people
from conformance.scenario import Scenario

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
SIMPLE = (
    ("OptedOutReachable", "CH-01", "opted out of paper, digitally reachable adult", {"optout": True}, {}, True, False),
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


OptedOutReachable, ReachableNotOptedOut, Interpreter, NoAccount, NoNotifications, InactiveAccount, Enclosures = (
    simple(*row) for row in SIMPLE
)


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
    today is an adult, so gets exactly what an adult control patient gets."""

    rules = ("CH-03",)

    def start(self) -> None:
        today = self.run.local_t0().date()
        age = self.run.profile.minor_age
        patients = {
            "turns 18 tomorrow": people.years_before(today, age) + dt.timedelta(days=1),
            "turns 18 today": people.years_before(today, age),
            "adult control": None,
        }
        pnrs = {}
        for label, born in patients.items():
            pnrs[label] = self.citizen(born=born, optout=True)
            self.show_booking("CH-03", self.book(self.booking(pnrs[label])), f"{label}: booking")
        self.expect_channels(
            "CH-03", pnrs["turns 18 tomorrow"], "opted-out reachable patient who turns 18 tomorrow", True, True
        )
        found = {label: self.delivered(pnrs[label], True, None) for label in ("turns 18 today", "adult control")}
        today_channels, control = (sorted(self.channels(found[k])) for k in ("turns 18 today", "adult control"))
        self.j("CH-03").expect(
            today_channels == control,
            f"the patient who turns 18 today gets what the adult control gets ({', '.join(control) or 'nothing'})",
            ", ".join(today_channels) or "nothing",
        )
        for label, delivery in found.items():
            self.show_delivery("CH-03", label, delivery)


class ShortNotice(Scenario):
    rules = ("CH-09",)

    def start(self) -> None:
        days = max(self.run.profile.short_notice_days - 1, 0)
        reachable = self.citizen()
        unreachable = self.citizen(account="none")
        for pnr in (reachable, unreachable):
            self.show_booking("CH-09", self.book(self.booking(pnr, days=days)))
        self.expect_channels("CH-09", reachable, f"reachable adult, visit in {days} day(s)", True, False)
        self.expect_channels("CH-09", unreachable, f"adult without account, visit in {days} day(s)", None, True)


class ProtectedIdentity(Scenario):
    """CH-10: paper through the protected-address route and no address anywhere."""

    rules = ("CH-10",)

    def start(self) -> None:
        body = people.create(self.run.sim, protected=True)
        pnr, street = body["personnummer"], body["address"]["street"]
        self.show_booking("CH-10", self.book(self.booking(pnr)))
        found = self.expect_channels("CH-10", pnr, "protected reachable adult", None, True)
        j = self.j("CH-10")
        for letter in found.letters:
            route = letter.get("protected_route", letter.get("protected_address_route"))
            j.expect(
                route is True,
                "the letter flagged for the protected-address route",
                f"protected_address_route={route!r}",
            )
            j.expect(not letter.get("address"), "no address on the letter", f"address {letter.get('address')!r}")
        leaking = [r for r in found.requests if street in r.body]
        j.expect(
            not leaking,
            f"the address ({street!r}) in no request the vendor sent",
            ", ".join(f"{r.contract} at {r.at}" for r in leaking) or f"absent from {len(found.requests)} request(s)",
        )


class Deceased(Scenario):
    rules = ("CH-11",)

    def start(self) -> None:
        died = (self.run.local_t0().date() - dt.timedelta(days=20)).isoformat()
        pnr = self.citizen(deceased=True, deceased_date=died, deregistration_code="AV")
        booking = self.book(self.booking(pnr))
        self.show_booking("CH-11", booking)
        self.expect_channels("CH-11", pnr, "deceased patient", False, False)
        status = self.run.adapter.status(booking["booking_id"])
        if status is not None:
            self.j("CH-11").expect(
                status == "manual", "the booking flagged for manual handling", f"booking status {status!r}"
            )
        else:
            self.j("CH-11").note(
                "manual handling not checked",
                "The adapter does not report booking status (Health.booking_status false).",
            )


SCENARIOS = [
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
