"""Property test: hypothesis draws citizens (PU and 1177 answers, identity numbers) and
bookings, and every engine decision must match the independent oracle (tests/dispatch/oracle.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dispatchcore import rules
from dispatchcore.domain import Booking, Facility
from dispatchcore.settings import load
from simulator.clock import SWEDEN, UTC
from simulator.population.personnummer import with_check_digit
from tests.dispatch import oracle

SETTINGS = load()
FACILITY = Facility(hsa_id="SE2321000065-E1", name="Klinisk fysiologi Ryhov")


@st.composite
def identity_numbers(draw, dispatch: dt.date):
    kind = draw(st.sampled_from(["personnummer", "personnummer", "samordningsnummer", "reservnummer"]))
    if kind == "reservnummer":
        return draw(st.from_regex(r"\A(19|20)[0-9]{6}[pPtTfF][0-9]{3}\Z"))
    # Birth dates cluster around the 18th birthday so CH-03's boundary is hit often.
    near_18 = draw(st.booleans())
    if near_18:
        try:
            birthday18 = dispatch.replace(year=dispatch.year - 18)
        except ValueError:
            birthday18 = dt.date(dispatch.year - 18, 2, 28)
        birth = birthday18 + dt.timedelta(days=draw(st.integers(-3, 3)))
    else:
        birth = draw(st.dates(dt.date(1920, 1, 1), dispatch))
    day = birth.day + (60 if kind == "samordningsnummer" else 0)
    serial = draw(st.integers(0, 999))
    return with_check_digit(f"{birth:%Y%m}{day:02d}{serial:03d}")


@st.composite
def scenarios(draw):
    now = draw(st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2030, 12, 31), timezones=st.just(UTC)))
    profile = draw(st.sampled_from(["rjl", "vgr"]))
    pnr = draw(identity_numbers(now.astimezone(SWEDEN).date()))
    kind = draw(st.sampled_from(["kallelse", "open_invitation", "confirmation"]))
    minutes = (
        None
        if kind == "open_invitation"
        else draw(st.one_of(st.integers(1, 60 * 24 * 30), st.integers(3 * 24 * 60 - 2, 3 * 24 * 60 + 2)))
    )
    booking = Booking(
        booking_id="b1",
        personnummer=pnr,
        kind=kind,
        profile=profile,
        facility=FACILITY,
        visit_start=None if minutes is None else now + dt.timedelta(minutes=minutes),
        interpreter=draw(st.booleans()),
        physical_enclosures=("provrör",) if draw(st.integers(0, 5)) == 0 else (),
    )
    pu = draw(st.sampled_from(["ok"] * 6 + ["unavailable", "not_found"]))
    person = rules.PersonAnswer(
        status=pu,
        optout_paper=draw(st.booleans()),
        protected=draw(st.booleans()),
        deregistered=draw(st.integers(0, 6)) == 0,
    )
    account = draw(st.sampled_from(["none", "inactive", "active", "active", "active", "unavailable"]))
    notifications = draw(st.booleans())
    answer = rules.AccountAnswer(
        status={"none": "no_account", "unavailable": "unavailable"}.get(account, "ok"),
        exists=account in ("inactive", "active"),
        active=account == "active",
        sms_notification=notifications and draw(st.booleans()),
        mail_notification=notifications,
    )
    if notifications and not (answer.sms_notification or answer.mail_notification):
        answer = rules.AccountAnswer(
            status=answer.status, exists=answer.exists, active=answer.active, mail_notification=True
        )
    return now, booking, person, answer, account, notifications, minutes


@hsettings(max_examples=1500, deadline=None)
@given(scenarios())
def test_every_decision_matches_the_oracle(scenario):
    now, booking, person, answer, account, notifications, minutes = scenario
    profile = SETTINGS.region(booking.profile)
    decision = rules.decide(booking, person, answer, now, profile)
    channels, must_fire = oracle.expected(
        pnr=booking.personnummer,
        pu=person.status,
        optout=person.optout_paper,
        deregistered=person.deregistered,
        protected=person.protected,
        account=account,
        notifications=notifications,
        interpreter=booking.interpreter,
        enclosures=bool(booking.physical_enclosures),
        minutes_to_visit=minutes,
        local_dispatch_date=now.astimezone(SWEDEN).date(),
        minor_age=profile.minor_age,
        short_notice_days=profile.short_notice_days,
    )
    assert set(decision.channels) == channels, decision.as_dict()
    assert must_fire <= set(decision.rule_ids), decision.as_dict()
    assert decision.manual == (channels == set())
