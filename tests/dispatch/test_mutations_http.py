"""The deliberately broken variants the conformance suite needs: each ``mutations`` switch
bends exactly its one rule, visibly in what the citizen receives."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dispatch.conftest import today, years_before

ADULT = dt.date(1970, 6, 1)


def run(dispatch, mutations, pnr, **fields):
    dispatch.settings(mutations=mutations)
    booking = dispatch.booking(pnr, **fields)
    view = dispatch.settle(booking["booking_id"])
    return booking, view


def test_unknown_mutation_is_400_naming_the_field(dispatch):
    answer = dispatch.http.put(f"{dispatch.url}/dispatch/api/settings", json={"mutations": ["be_evil"]})
    assert answer.status_code == 400 and answer.json()["field"] == "mutations"


def test_ignore_minors_sends_a_minor_digital_only(dispatch):
    pnr = dispatch.citizen(years_before(today(dispatch), 12), optout=True)
    booking, view = run(dispatch, ["ignore_minors"], pnr)
    assert view["outcome"] == "digital_only" and dispatch.letters(booking) == []


def test_no_fallback_leaves_an_unread_kallelse_without_paper(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking, view = run(dispatch, ["no_fallback"], pnr)
    assert not [s for s in view["steps"] if s["kind"] == "fallback"]
    dispatch.advance("P3D")
    dispatch.settle(booking["booking_id"])
    assert dispatch.letters(booking) == []


def test_new_business_object_id_on_cancel_starts_a_second_thread(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking, _ = run(dispatch, ["new_business_object_id_on_cancel"], pnr)
    dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}/cancel")
    dispatch.settle(booking["booking_id"])
    threads = {m["business_object_id"] for m in dispatch.messages(booking)}
    assert len(threads) == 2


def test_notify_without_source_system(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking, view = run(dispatch, ["notify_without_source_system"], pnr)
    step = next(s for s in view["steps"] if s["key"] == "addmessage:1")
    messages = dispatch.messages(booking)
    # the inbox either refuses it (resultCode ERROR -> LK-04 paper) or stores it without sourceSystem
    assert step["result"]["code"] != "OK" or messages[0]["source_system"] in (None, "")


def test_docbook_outside_subset_is_flagged_by_the_inbox(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking, _ = run(dispatch, ["docbook_outside_subset"], pnr)
    message = dispatch.messages(booking)[0]
    assert message["docbook_ok"] is False and message["docbook_violations"]


def test_protected_address_on_letter_sends_an_ordinary_letter(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False, protected=True)
    booking, view = run(dispatch, ["protected_address_on_letter"], pnr)
    paper = next(s for s in view["steps"] if s["key"] == "paper:1")
    letters = dispatch.letters(booking)
    # the paper outbox either refuses the address (400) or takes the letter and warns (CH-10)
    assert paper["state"] == "failed" or (
        letters[0]["protected_route"] is False and any("CH-10" in w for w in letters[0]["warnings"])
    )


def test_reminder_after_cancel(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking, _ = run(
        dispatch,
        ["reminder_after_cancel"],
        pnr,
        visit_in=dt.timedelta(days=6),
        sms_reminder_consent=True,
        mobile="+46703333333",
    )
    dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}/cancel")
    dispatch.settle(booking["booking_id"])
    dispatch.advance("P5DT23H")
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.sms(pnr)) >= 1


def test_sms_with_visit_details(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking, _ = run(
        dispatch,
        ["sms_with_visit_details"],
        pnr,
        visit_in=dt.timedelta(days=6),
        sms_reminder_consent=True,
        mobile="+46704444444",
    )
    dispatch.advance("P5DT23H")
    dispatch.settle(booking["booking_id"])
    assert any("Arbetsprov" in s["text"] for s in dispatch.sms(pnr))


@pytest.mark.parametrize("mutation, flag", [("ignore_interpreter", {"interpreter": True}), ("ignore_optout", {})])
def test_channel_switches(dispatch, mutation, flag):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking, view = run(dispatch, [mutation], pnr, **flag)
    expected = "digital_only" if mutation == "ignore_interpreter" else "digital_and_paper"
    assert view["outcome"] == expected
