"""The guideline rules as pure functions: what the lookups said plus the booking plus the
clock in, a decision (channels, every rule ID that fired, the reason in plain words) out.

No HTTP, no database: the engine feeds it what PU-tjänsten and 1177 answered, the
conformance oracle test calls it directly. Rule IDs are those of guideline-rules.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from dispatchcore.domain import Booking
from dispatchcore.localtime import SWEDEN
from dispatchcore.personnummer import age_on, is_reservnummer, is_samordningsnummer
from dispatchcore.states import Channel, LookupStatus, Outcome
from regions import Region

DIGITAL = Channel.DIGITAL
PAPER = Channel.PAPER


@dataclasses.dataclass(frozen=True)
class PersonAnswer:
    """What PU-tjänsten (GetPersonsForProfile, P3) said about the person (LK-01).
    ``status``: ok, not_found or unavailable (fault, timeout, HTTP error)."""

    status: LookupStatus
    optout_paper: bool = False
    protected: bool = False
    deregistered: bool = False
    deregistration_code: str = ""
    given_name: str = ""
    surname: str = ""
    address: tuple[str, str, str, str] | None = None  # care of, street, postal code, city
    mobile: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        """For the decision record. The address is never stored: only whether PU had one."""
        data = dataclasses.asdict(self)
        data["address"] = None
        data["has_address"] = self.address is not None
        data["given_name"] = data["surname"] = data["mobile"] = ""
        return data


@dataclasses.dataclass(frozen=True)
class AccountAnswer:
    """What 1177 GetUserProfile said (LK-02). ``status``: ok (account found, active or
    not), no_account (resultCode INFO without a profile), unavailable, or skipped."""

    status: LookupStatus
    exists: bool = False
    active: bool = False
    mail_notification: bool = False
    sms_notification: bool = False
    mobile: str = ""
    error: str = ""

    @property
    def digitally_reachable(self) -> bool:
        """The catalog's term: account exists, isActive, and a notification is on."""
        return self.exists and self.active and (self.mail_notification or self.sms_notification)

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["mobile"] = ""
        data["digitally_reachable"] = self.digitally_reachable
        return data


UNKNOWN_ACCOUNT = AccountAnswer(status=LookupStatus.UNAVAILABLE)


@dataclasses.dataclass(frozen=True)
class Decision:
    """The channel decision for one dispatch of a booking."""

    channels: frozenset[Channel]
    fired: tuple[tuple[str, str], ...]  # (rule id, plain-words reason), in order
    manual: bool = False  # CH-11 / not in PU: a person must handle it
    protected: bool = False  # CH-10: protected-address route, no address anywhere
    retry_lookups: bool = False  # LK-03: a lookup failed; retry and add digital later

    @property
    def rule_ids(self) -> list[str]:
        seen: list[str] = []
        for rule, _ in self.fired:
            if rule not in seen:
                seen.append(rule)
        return seen

    @property
    def outcome(self) -> Outcome:
        return Outcome.of(self.channels)

    def as_dict(self) -> dict:
        return {
            "channels": sorted(self.channels),
            "outcome": self.outcome,
            "rule_ids": self.rule_ids,
            "reasons": [{"rule": r, "text": t} for r, t in self.fired],
            "manual": self.manual,
            "protected": self.protected,
            "retry_lookups": self.retry_lookups,
        }


def dispatch_date(now: dt.datetime) -> dt.date:
    """The dispatch date is the Swedish calendar date (CH-03 counts birthdays there)."""
    return now.astimezone(SWEDEN).date()


def is_minor(personnummer: str, now: dt.datetime, minor_age: int) -> bool:
    """CH-03: under ``minor_age`` on the dispatch date; the birthday itself counts as adult."""
    age = age_on(personnummer, dispatch_date(now))
    return age is not None and age < minor_age


def is_short_notice(booking: Booking, now: dt.datetime, profile: Region) -> bool:
    """CH-09: the visit is closer than ``short_notice_days`` after dispatch."""
    start = booking.visit_start
    return start is not None and start - now < dt.timedelta(days=profile.short_notice_days)


def _paper_also_reasons(booking: Booking, now: dt.datetime, profile: Region) -> list[tuple[str, str]]:
    """CH-03, CH-04, CH-05: the patient groups who always get paper as well."""
    reasons = []
    if is_minor(booking.personnummer, now, profile.minor_age):
        reasons.append(
            (
                "CH-03",
                f"The patient is under {profile.minor_age} on the dispatch date "
                f"{dispatch_date(now).isoformat()}, so paper is always sent as well.",
            )
        )
    if booking.interpreter:
        reasons.append(("CH-04", "The patient needs an interpreter, so paper is sent as well."))
    if is_samordningsnummer(booking.personnummer):
        reasons.append(("CH-05", "The patient has a samordningsnummer, so paper is sent as well."))
    elif is_reservnummer(booking.personnummer):
        reasons.append(("CH-05", "The patient has a reservnummer, so paper is sent as well."))
    return reasons


def _person_blocks(person: PersonAnswer) -> Decision | None:
    """LK-01/LK-03/CH-11: answers from PU that decide before any channel rule."""
    looked_up = (
        "LK-01",
        "PU-tjänsten was asked (GetPersonsForProfile, profile P3) for opt-out, protection and deregistration.",
    )
    if person.status == LookupStatus.UNAVAILABLE:
        return Decision(
            frozenset({PAPER}),
            (
                (
                    "LK-03",
                    f"PU-tjänsten could not be reached ({person.error or 'no answer'}); the kallelse is "
                    "never dropped: paper is sent now and the lookups are retried later.",
                ),
            ),
            retry_lookups=True,
        )
    if person.status == LookupStatus.NOT_FOUND:
        return Decision(
            frozenset(),
            (
                looked_up,
                (
                    "CH-11",
                    "PU-tjänsten has no record of this person; nothing is sent and the booking is "
                    "flagged for manual handling.",
                ),
            ),
            manual=True,
        )
    if person.deregistered:
        return Decision(
            frozenset(),
            (
                looked_up,
                (
                    "CH-11",
                    f"The person is deceased or deregistered in PU-tjänsten (reason code "
                    f"{person.deregistration_code or 'given'}); nothing is sent and the booking is flagged "
                    "for manual handling.",
                ),
            ),
            manual=True,
        )
    return None


def _account_reasons(account: AccountAnswer) -> tuple[set[Channel], list[tuple[str, str]]]:
    """LK-02, CH-06, CH-07, CH-08 for a person who is not digitally reachable."""
    if account.status == LookupStatus.UNAVAILABLE:
        return {PAPER}, [
            (
                "LK-03",
                f"1177 GetUserProfile could not be reached ({account.error or 'no answer'}); "
                "paper is sent now and the digital part is retried later.",
            )
        ]
    if not account.exists:
        return {PAPER}, [("CH-06", "The patient has no 1177 account (never logged in), so the kallelse goes on paper.")]
    if not account.active:
        return {PAPER}, [
            (
                "CH-08",
                "The patient's 1177 account is inactive or locked (isActive=false), so the kallelse goes on paper.",
            )
        ]
    return {DIGITAL, PAPER}, [
        (
            "CH-07",
            "The patient has a 1177 account but no notifications (SMS or e-mail) "
            "activated, so the kallelse goes to 1177 and on paper as well.",
        )
    ]


def decide(
    booking: Booking, person: PersonAnswer, account: AccountAnswer, now: dt.datetime, profile: Region
) -> Decision:
    """The channel decision (CH-01..CH-12, LK-01..LK-03) for dispatching ``booking`` at ``now``
    under the region's parameters ``profile``."""
    blocked = _person_blocks(person)
    if blocked is not None:
        return blocked
    fired: list[tuple[str, str]] = [
        (
            "LK-01",
            "PU-tjänsten was asked (GetPersonsForProfile, profile P3) for opt-out, protection and deregistration.",
        )
    ]
    protected = person.protected
    if protected:
        fired.append(
            (
                "CH-10",
                "The person has a protected identity: no address appears in any letter, log or "
                "report, and paper goes through the protected-address route.",
            )
        )
    if account.status != LookupStatus.UNAVAILABLE:
        fired.append(("LK-02", "1177 GetUserProfile was asked for account, isActive and notification flags."))
    if booking.physical_enclosures:
        fired.append(
            (
                "CH-12",
                "The kallelse has physical enclosures ("
                + ", ".join(booking.physical_enclosures)
                + "), which cannot be sent digitally, so it goes on paper.",
            )
        )
        return Decision(frozenset({PAPER}), tuple(fired), protected=protected)
    if not account.digitally_reachable:
        channels, reasons = _account_reasons(account)
        return Decision(
            frozenset(channels),
            tuple(fired + reasons),
            protected=protected,
            retry_lookups=account.status == LookupStatus.UNAVAILABLE,
        )
    also = _paper_also_reasons(booking, now, profile)
    strong = [r for r in also if r[0] in ("CH-03", "CH-04")]
    if strong:
        return Decision(frozenset({DIGITAL, PAPER}), tuple(fired + also), protected=protected)
    if is_short_notice(booking, now, profile):
        fired.append(
            (
                "CH-09",
                f"The visit is less than {profile.short_notice_days} days after dispatch: paper "
                "would arrive too late, so the kallelse goes only to 1177.",
            )
        )
        return Decision(frozenset({DIGITAL}), tuple(fired), protected=protected)
    if also:
        return Decision(frozenset({DIGITAL, PAPER}), tuple(fired + also), protected=protected)
    if person.optout_paper:
        fired.append(
            (
                "CH-01",
                "The patient has opted out of paper (optoutPaperNotification) and is digitally "
                "reachable, so the kallelse goes only to 1177.",
            )
        )
        return Decision(frozenset({DIGITAL}), tuple(fired), protected=protected)
    fired.append(
        (
            "CH-02",
            "The patient is digitally reachable but has not opted out of paper, so the "
            "kallelse goes to 1177 and on paper.",
        )
    )
    return Decision(frozenset({DIGITAL, PAPER}), tuple(fired), protected=protected)


# --- timers: fallback (FB) and reminders (RM) ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class Timer:
    kind: str  # fallback | reminder
    key: str  # unique per booking: "fallback:<revision>", "reminder:<date>"
    due: dt.datetime
    rule: str


def fallback_timer(decision: Decision, sent_at: dt.datetime, revision: int, profile: Region) -> Timer | None:
    """FB-01: a digital-only kallelse gets paper if unread ``fallback_days`` after sending."""
    if decision.outcome != Outcome.DIGITAL_ONLY:
        return None
    return Timer("fallback", f"fallback:{revision}", sent_at + dt.timedelta(days=profile.fallback_days), "FB-01")


def reminder_timers(booking: Booking, now: dt.datetime, profile: Region) -> list[Timer]:
    """RM-01: SMS reminders ``reminder_days_before`` the visit (local date, at
    ``reminder_local_time``) for patients who asked for them; none in the past."""
    start = booking.visit_start
    if start is None or not booking.sms_reminder_consent:
        return []
    visit_day = start.astimezone(SWEDEN).date()
    timers = []
    for days in profile.reminder_days_before:
        day = visit_day - dt.timedelta(days=days)
        due = dt.datetime.combine(day, profile.reminder_local_time, tzinfo=SWEDEN)
        if now < due < start:
            timers.append(Timer("reminder", f"reminder:{day.isoformat()}", due, "RM-01"))
    return timers


def fallback_outcome(
    cancelled: bool,
    visit_start: dt.datetime | None,
    read_at: dt.datetime | None,
    deadline: dt.datetime,
    now: dt.datetime,
) -> tuple[bool, str, str]:
    """FB-01/FB-02 when the fallback timer fires: (send paper?, rule, reason)."""
    if cancelled:
        return False, "FB-02", "The booking was cancelled, so no fallback paper is sent."
    if visit_start is not None and visit_start <= now:
        return False, "FB-02", "The visit has passed, so no fallback paper is sent."
    if read_at is not None and read_at <= deadline:
        return False, "FB-02", f"The citizen read the message in time ({read_at.isoformat()}), so no paper."
    return True, "FB-01", "The digital-only kallelse was not read within the fallback time, so paper is sent."


def reminder_outcome(
    cancelled: bool,
    visit_start: dt.datetime | None,
    now: dt.datetime,
    day: str,
    sent_days: set[str],
) -> tuple[bool, str]:
    """RM-01 when a reminder timer fires: never for cancelled or past visits, never twice a day."""
    if cancelled:
        return False, "The booking was cancelled: no reminder."
    if visit_start is None or visit_start <= now:
        return False, "The visit has passed: no reminder."
    if day in sent_days:
        return False, f"A reminder was already sent for {day}: never twice for the same day."
    return True, f"SMS reminder for {day}."
