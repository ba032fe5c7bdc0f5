"""Channel rules (LK-01, LK-02, CH-01..CH-12) at their boundaries, through real HTTP: a
booking is posted to the dispatch API, the worker asks PU-tjänsten and 1177 over SOAP, and
the test looks at what actually arrived in the citizen's inbox and the paper outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dispatch.conftest import today, years_before

ADULT = dt.date(1980, 5, 17)


def outcome(dispatch, booking: dict) -> tuple[dict, list, list]:
    view = dispatch.settle(booking["booking_id"])
    return view, dispatch.messages(booking), dispatch.letters(booking)


def rules_of(dispatch, booking: dict) -> set[str]:
    return set(dispatch.decision(booking["booking_id"])["rule_ids"])


def test_ch01_opted_out_and_reachable_gets_digital_only(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_only"
    assert len(messages) == 1 and letters == []
    assert {"LK-01", "LK-02", "CH-01"} <= rules_of(dispatch, booking)


def test_ch02_reachable_without_optout_gets_both(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_and_paper"
    assert len(messages) == 1 and len(letters) == 1
    assert letters[0]["reason_rule_ids"] and "CH-02" in rules_of(dispatch, booking)
    assert letters[0]["address"]["street"] == "Storgatan 1"


def test_ch03_the_18th_birthday_counts_as_adult(dispatch):
    pnr = dispatch.citizen(years_before(today(dispatch), 18), optout=True)
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_only" and letters == []
    assert "CH-03" not in rules_of(dispatch, booking)


def test_ch03_one_day_before_the_18th_birthday_is_a_minor(dispatch):
    pnr = dispatch.citizen(years_before(today(dispatch), 18) + dt.timedelta(days=1), optout=True)
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_and_paper"
    assert len(messages) == 1 and len(letters) == 1
    assert "CH-03" in rules_of(dispatch, booking) and letters[0]["reason_rule_ids"][-1] == "CH-03"


def test_ch04_interpreter_need_adds_paper(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking = dispatch.booking(pnr, interpreter=True, interpreter_language="arabiska")
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_and_paper" and "CH-04" in rules_of(dispatch, booking)


def test_ch05_samordningsnummer_adds_paper(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True, samordning=True)
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_and_paper" and len(letters) == 1
    assert "CH-05" in rules_of(dispatch, booking)


@pytest.mark.parametrize(
    "account, expected, rule, digital",
    [
        ("none", "paper_only", "CH-06", 0),
        ("no_notifications", "digital_and_paper", "CH-07", 1),
        ("inactive", "paper_only", "CH-08", 0),
    ],
)
def test_ch06_ch07_ch08_account_states(dispatch, account, expected, rule, digital):
    pnr = dispatch.citizen(ADULT, optout=True, account=account)
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == expected
    assert len(messages) == digital and len(letters) == 1
    assert rule in rules_of(dispatch, booking)


def test_ch09_short_notice_is_digital_only_even_without_optout(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking = dispatch.booking(pnr, visit_in=dt.timedelta(days=3) - dt.timedelta(minutes=1))
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_only" and letters == []
    assert "CH-09" in rules_of(dispatch, booking)


def test_ch09_boundary_exactly_short_notice_days_is_not_short(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking = dispatch.booking(pnr, visit_in=dt.timedelta(days=3))
    view, _, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_and_paper" and len(letters) == 1


def test_ch09_short_notice_for_a_minor_is_still_both(dispatch):
    pnr = dispatch.citizen(years_before(today(dispatch), 10), optout=True)
    booking = dispatch.booking(pnr, visit_in=dt.timedelta(days=1))
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "digital_and_paper" and len(letters) == 1
    assert "CH-03" in rules_of(dispatch, booking)


@pytest.mark.parametrize("flag", ["protected", "protected_population_record"])
def test_ch10_protected_identity_letter_has_no_address_and_takes_the_protected_route(dispatch, flag):
    pnr = dispatch.citizen(ADULT, optout=True, **{flag: True})
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert len(letters) == 1, view
    assert letters[0]["protected_route"] is True and not letters[0].get("address")
    assert "CH-10" in rules_of(dispatch, booking)
    explanation = str(dispatch.decision(booking["booking_id"]))
    assert "Storgatan" not in explanation


def test_ch11_deceased_person_gets_nothing_and_is_flagged(dispatch):
    pnr = dispatch.citizen(ADULT, deceased=True, deceased_date="2024-01-01", deregistration_code="AV")
    booking = dispatch.booking(pnr)
    view, messages, letters = outcome(dispatch, booking)
    assert view["status"] == "manual" and view["outcome"] == "none"
    assert messages == [] and letters == []
    assert "CH-11" in rules_of(dispatch, booking)


def test_ch12_physical_enclosures_go_on_paper_only(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking = dispatch.booking(pnr, physical_enclosures=["provrör", "broschyr"])
    view, messages, letters = outcome(dispatch, booking)
    assert view["outcome"] == "paper_only" and messages == [] and len(letters) == 1
    assert "CH-12" in rules_of(dispatch, booking)


def test_decision_records_inputs_clock_and_answers(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking = dispatch.booking(pnr)
    dispatch.settle(booking["booking_id"])
    explanation = dispatch.decision(booking["booking_id"])
    first = explanation["decisions"][0]
    assert first["inputs"]["pu"]["status"] == "ok" and first["inputs"]["pu"]["optout_paper"] is True
    assert first["inputs"]["userprofile"]["digitally_reachable"] is True
    assert dt.datetime.fromisoformat(first["inputs"]["clock"]) == dispatch.clock()
    assert "only to 1177" in explanation["summary"]


def test_why_paper_is_answered_in_plain_words(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True, account="none")
    booking = dispatch.booking(pnr)
    dispatch.settle(booking["booking_id"])
    explanation = dispatch.decision(booking["booking_id"])
    assert "Paper because" in explanation["summary"] and "no 1177 account" in explanation["summary"]
    assert "CH-06" in explanation["rule_ids"]
