"""Fallback (FB-01, FB-02) and reminders (RM-01, RM-02) on the simulator clock, at their
boundaries: the clock is frozen and moved by the test, the worker fires what is due."""

from __future__ import annotations

import datetime as dt

from tests.dispatch.conftest import SWEDEN

ADULT = dt.date(1979, 3, 8)
JUST_BEFORE = "PT71H59M"  # fallback_days (rjl: 3) minus one minute


def digital_only(dispatch, **fields) -> dict:
    pnr = dispatch.citizen(ADULT, optout=True)
    booking = dispatch.booking(pnr, **fields)
    view = dispatch.settle(booking["booking_id"])
    assert view["outcome"] == "digital_only"
    return booking


def fallback_result(dispatch, booking) -> dict:
    view = dispatch.settle(booking["booking_id"])
    return next(s for s in view["steps"] if s["kind"] == "fallback")


def test_fb01_paper_exactly_at_fallback_days_not_a_minute_before(dispatch):
    booking = digital_only(dispatch)
    dispatch.advance(JUST_BEFORE)
    assert fallback_result(dispatch, booking)["state"] == "todo"
    assert dispatch.letters(booking) == []
    dispatch.advance("PT1M")
    assert fallback_result(dispatch, booking)["result"]["rule"] == "FB-01"
    letters = dispatch.letters(booking)
    assert len(letters) == 1 and letters[0]["reason_rule_ids"] == ["FB-01"]
    assert "FB-01" in dispatch.decision(booking["booking_id"])["summary"]


def test_fb02_read_one_minute_before_the_deadline_means_no_paper(dispatch):
    booking = digital_only(dispatch)
    dispatch.advance(JUST_BEFORE)
    message = dispatch.messages(booking)[0]
    dispatch.read_as_citizen(booking["booking"]["personnummer"], message["message_id"])
    dispatch.advance("PT1M")
    result = fallback_result(dispatch, booking)["result"]
    assert result["rule"] == "FB-02" and result["read_at"]
    assert dispatch.letters(booking) == []
    assert dispatch.get(booking["booking_id"])["read_at"]


def test_fb02_no_fallback_after_cancellation(dispatch):
    booking = digital_only(dispatch)
    assert dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}/cancel").ok
    dispatch.settle(booking["booking_id"])
    dispatch.advance("P3D")
    view = dispatch.settle(booking["booking_id"])
    assert dispatch.letters(booking) == []
    fallback = next(s for s in view["steps"] if s["kind"] == "fallback")
    assert fallback["state"] == "skipped"


def test_fb02_no_fallback_when_the_visit_has_passed(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking = dispatch.booking(pnr, visit_in=dt.timedelta(days=2))  # CH-09: digital only
    dispatch.settle(booking["booking_id"])
    dispatch.advance("P3D")
    assert fallback_result(dispatch, booking)["result"]["rule"] == "FB-02"
    assert dispatch.letters(booking) == []


def test_advancing_the_clock_fires_exactly_the_fallbacks_due(dispatch):
    early = digital_only(dispatch)
    dispatch.advance("PT12H")
    late = digital_only(dispatch)
    dispatch.advance("PT60H")  # 72 h after the first, 60 h after the second
    fallback_result(dispatch, early)
    assert len(dispatch.letters(early)) == 1
    assert fallback_result(dispatch, late)["state"] == "todo" and dispatch.letters(late) == []


def pu_calls(dispatch, pnr: str) -> list[list[str]]:
    """The identities of each GetPersonsForProfile call that asked for ``pnr``, newest first."""
    answer = dispatch.http.get(
        f"{dispatch.url}/api/traffic",
        params={"contract": "GetPersonsForProfile", "personnummer": pnr, "limit": 20, "mask": "false"},
    )
    return [record["personnummer"] for record in answer.json()["items"]]


def test_fb01_letters_of_many_fallbacks_use_one_batched_pu_lookup(dispatch):
    """Eight or more fallbacks due at once: their citizens' addresses come from one
    GetPersonsForProfile call for all of them, asked before the units run, instead of
    one call per FB-01 letter; each letter still carries the address PU answered."""
    bookings = [digital_only(dispatch) for _ in range(8)]
    pnrs = [b["booking"]["personnummer"] for b in bookings]
    before = {pnr: len(pu_calls(dispatch, pnr)) for pnr in pnrs}
    dispatch.advance("P3D")
    for booking, pnr in zip(bookings, pnrs, strict=True):
        assert fallback_result(dispatch, booking)["result"]["rule"] == "FB-01"
        letters = dispatch.letters(booking)
        assert len(letters) == 1 and letters[0]["address"]["street"] == "Storgatan 1", letters
        calls = pu_calls(dispatch, pnr)
        assert len(calls) == before[pnr] + 1, calls  # one lookup for the fallback phase ...
        assert set(pnrs) <= set(calls[0]), calls[0]  # ... and it asked for all eight


def visit_at(dispatch, days: int, hour: int = 10) -> str:
    local = dispatch.clock().astimezone(SWEDEN) + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def move_to(dispatch, day_offset: int, hour: int, minute: int = 0) -> None:
    now = dispatch.clock()
    local = now.astimezone(SWEDEN) + dt.timedelta(days=day_offset)
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    dispatch.set_clock(target)


def test_rm01_sms_four_and_one_day_before_and_text_has_no_details(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    start = visit_at(dispatch, 10)
    booking = dispatch.booking(pnr, visit_start=start, sms_reminder_consent=True, mobile="+46709876543")
    dispatch.settle(booking["booking_id"])
    visit_day = dt.datetime.fromisoformat(start).date()
    today = dispatch.clock().astimezone(SWEDEN).date()
    move_to(dispatch, (visit_day - today).days - 4, 8, 59)
    dispatch.settle(booking["booking_id"])
    assert dispatch.sms(pnr) == []
    move_to(dispatch, 0, 9, 0)
    dispatch.settle(booking["booking_id"])
    sent = dispatch.sms(pnr)
    assert len(sent) == 1 and sent[0]["recipient"] == "+46709876543"
    assert "Arbetsprov" not in sent[0]["text"] and "Ryhov" not in sent[0]["text"]  # MC-12
    move_to(dispatch, 3, 9, 0)
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.sms(pnr)) == 2


def test_rm01_no_reminder_after_cancellation(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking = dispatch.booking(pnr, visit_start=visit_at(dispatch, 6), sms_reminder_consent=True, mobile="+46701111111")
    dispatch.settle(booking["booking_id"])
    dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}/cancel")
    dispatch.settle(booking["booking_id"])
    dispatch.advance("P6D")
    dispatch.settle(booking["booking_id"])
    assert dispatch.sms(pnr) == []


def test_rm01_no_reminder_without_consent(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking = dispatch.booking(pnr, visit_start=visit_at(dispatch, 6), mobile="+46701111112")
    dispatch.settle(booking["booking_id"])
    dispatch.advance("P6D")
    dispatch.settle(booking["booking_id"])
    assert dispatch.sms(pnr) == []


def test_rm01_a_rebooking_does_not_repeat_a_reminder_already_sent(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    booking = dispatch.booking(
        pnr, visit_start=visit_at(dispatch, 5, 10), sms_reminder_consent=True, mobile="+46702222222"
    )
    dispatch.settle(booking["booking_id"])
    move_to(dispatch, 1, 9, 30)  # the 4-day reminder (visit day - 4) has gone out
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.sms(pnr)) == 1
    # moved later the same day: the 4-day reminder day is the same and must not repeat
    update = dispatch.http.put(
        f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}", json={"visit_start": visit_at(dispatch, 4, 15)}
    )
    assert update.status_code == 200, update.text
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.sms(pnr)) == 1


def test_rm02_reminder_joins_the_unread_thread(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking = dispatch.booking(pnr, visit_start=visit_at(dispatch, 2, 15), sms_reminder_consent=True)
    dispatch.settle(booking["booking_id"])
    move_to(dispatch, 1, 9, 0)
    dispatch.settle(booking["booking_id"])
    messages = dispatch.messages(booking)
    assert len(messages) == 2
    assert {m["business_object_id"] for m in messages} == {booking["business_object_id"]}
    assert len(dispatch.sms(pnr)) == 1  # the 1177 profile's mobile number


def test_rm02_no_thread_reminder_when_read(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    booking = dispatch.booking(pnr, visit_start=visit_at(dispatch, 2, 15), sms_reminder_consent=True)
    dispatch.settle(booking["booking_id"])
    dispatch.read_as_citizen(pnr, dispatch.messages(booking)[0]["message_id"])
    move_to(dispatch, 1, 9, 0)
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.messages(booking)) == 1
