"""LK-03 and LK-04 through real HTTP: a service that does not answer (connection refused,
SOAP Fault) or answers INFO/ERROR. Never is a kallelse dropped, never is a thread doubled.

Faults come from the platform's behaviour rules (POST /api/behaviours) where that API is
present; the unreachable cases point the engine's endpoint at a port nobody listens on."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.support import SilentPort, free_port

ADULT = dt.date(1975, 9, 30)


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}/nothing-listens-here"


def behaviours_available(dispatch) -> bool:
    return dispatch.http.get(f"{dispatch.url}/api/behaviours").status_code == 200


def add_behaviour(dispatch, rule: dict) -> None:
    if not behaviours_available(dispatch):
        pytest.skip("the platform's behaviour rules (/api/behaviours) are not in this build")
    answer = dispatch.http.post(f"{dispatch.url}/api/behaviours", json=rule)
    assert answer.status_code in (200, 201), answer.text


def test_lk03_pu_down_sends_paper_now_and_adds_digital_when_pu_is_back(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False)
    dispatch.settings(endpoints={"pu": dead_url()})
    booking = dispatch.booking(pnr)
    view = dispatch.settle(booking["booking_id"])
    assert view["outcome"] == "paper_only"
    letters = dispatch.letters(booking)
    assert len(letters) == 1 and letters[0]["reason_rule_ids"] == ["LK-03"]
    assert not letters[0].get("address")  # unknown without PU: the distributor looks it up
    assert dispatch.messages(booking) == []
    assert "LK-03" in dispatch.decision(booking["booking_id"])["rule_ids"]
    dispatch.settings(endpoints={"pu": ""})
    dispatch.advance("PT5M")  # first LK-03 retry (lookup_retry_minutes[0])
    view = dispatch.settle(booking["booking_id"])
    assert len(dispatch.messages(booking)) == 1
    assert len(dispatch.letters(booking)) == 1  # the paper already sent is not repeated
    assert view["outcome"] == "digital_and_paper"


def test_lk03_userprofile_down_sends_paper_and_retries(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    dispatch.settings(endpoints={"userprofile": dead_url()})
    booking = dispatch.booking(pnr)
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.letters(booking)) == 1 and dispatch.messages(booking) == []
    dispatch.settings(endpoints={"userprofile": ""})
    dispatch.advance("PT5M")
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.messages(booking)) == 1


def test_lk04_addmessage_unreachable_is_retried_in_the_same_thread_with_paper_meanwhile(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    dispatch.settings(endpoints={"inbox": dead_url()})
    booking = dispatch.booking(pnr)
    view = dispatch.settle(booking["booking_id"])
    step = next(s for s in view["steps"] if s["key"] == "addmessage:1")
    assert step["state"] == "todo" and step["attempts"] == 1
    assert len(dispatch.letters(booking)) == 1  # LK-03: never dropped
    dispatch.settings(endpoints={"inbox": ""})
    dispatch.advance("PT5M")
    dispatch.settle(booking["booking_id"])
    messages = dispatch.messages(booking)
    assert len(messages) == 1 and messages[0]["business_object_id"] == booking["business_object_id"]
    dispatch.advance("P3D")  # no fallback paper on top of the LK-03 one
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.letters(booking)) == 1


@pytest.mark.parametrize("code", ["INFO", "ERROR"])
def test_lk04_result_codes_from_behaviour_rules_mean_paper(dispatch, code):
    pnr = dispatch.citizen(ADULT, optout=True)
    add_behaviour(
        dispatch,
        {
            "match": {"contract": "AddMessage", "personnummer": pnr},
            "action": {"type": "result_code", "code": code, "text": "Kontot är låst"},
            "times": 1,
        },
    )
    booking = dispatch.booking(pnr)
    dispatch.settle(booking["booking_id"])
    letters = dispatch.letters(booking)
    assert len(letters) == 1 and letters[0]["reason_rule_ids"] == ["LK-04"]


def test_lk04_soap_fault_is_retried_with_the_same_business_object_id(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    add_behaviour(
        dispatch,
        {
            "match": {"contract": "AddMessage", "personnummer": pnr},
            "action": {"type": "soap_fault", "code": "Server", "text": "deadlock"},
            "times": 1,
        },
    )
    booking = dispatch.booking(pnr)
    dispatch.settle(booking["booking_id"])
    assert dispatch.messages(booking) == [] and len(dispatch.letters(booking)) == 1
    dispatch.advance("PT5M")
    dispatch.settle(booking["booking_id"])
    messages = dispatch.messages(booking)
    assert len(messages) == 1 and messages[0]["business_object_id"] == booking["business_object_id"]


def test_lk03_pu_fault_from_behaviour_rule(dispatch):
    pnr = dispatch.citizen(ADULT, optout=True)
    add_behaviour(
        dispatch,
        {
            "match": {"contract": "GetPersonsForProfile", "personnummer": pnr},
            "action": {"type": "soap_fault", "code": "Server", "text": "PU nere"},
            "times": 1,
        },
    )
    booking = dispatch.booking(pnr)
    view = dispatch.settle(booking["booking_id"])
    assert view["outcome"] == "paper_only"
    assert "LK-03" in dispatch.decision(booking["booking_id"])["rule_ids"]


def _wait_for(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


@pytest.mark.parametrize(
    "action",
    [{"type": "delay", "ms": 1500}, {"type": "answer_lost"}],
    ids=["answered-after-the-timeout", "reset-after-storing"],
)
def test_lk04_addmessage_answer_lost_is_verified_in_the_thread_not_sent_twice(dispatch, action):
    """The inbox stores the message but the engine never sees the answer (it came after the
    engine's timeout, or the connection broke on the way back): the retry asks the thread
    (GetMessageStatus) first and finds it, so the citizen gets one message, not two."""
    pnr = dispatch.citizen(ADULT, optout=True)
    dispatch.settings(endpoints={"timeout_seconds": 0.5})  # reset by the fixture
    add_behaviour(dispatch, {"match": {"contract": "AddMessage", "personnummer": pnr}, "action": action, "times": 1})
    booking = dispatch.booking(pnr)
    view = dispatch.settle(booking["booking_id"])
    step = next(s for s in view["steps"] if s["key"] == "addmessage:1")
    assert step["state"] == "sending" and step["attempts"] == 1  # may have arrived: verify before resending
    assert len(dispatch.letters(booking)) == 1  # LK-03 meanwhile
    assert len(_wait_for(lambda: dispatch.messages(booking))) == 1  # the slow answer's message was stored
    dispatch.advance("PT5M")
    view = dispatch.settle(booking["booking_id"])
    step = next(s for s in view["steps"] if s["key"] == "addmessage:1")
    assert step["state"] == "done" and "verified" in step["result"]["text"]
    assert len(dispatch.messages(booking)) == 1


def test_paper_letter_without_an_answer_is_verified_before_it_is_sent_again(dispatch):
    """A letter POST that got no answer may have been printed: the retry counts the booking's
    letters in the outbox first; a refused connection was never sent and is simply retried."""
    silent = SilentPort("/paper")
    try:
        pnr = dispatch.citizen(ADULT, optout=False)
        dispatch.settings(endpoints={"paper_outbox": silent.url, "timeout_seconds": 0.5})
        booking = dispatch.booking(pnr)
        view = dispatch.settle(booking["booking_id"])
        paper = next(s for s in view["steps"] if s["kind"] == "paper")
        assert paper["state"] == "sending" and paper["attempts"] == 1
    finally:
        silent.close()
    dispatch.settings(endpoints={"paper_outbox": dead_url()})
    dispatch.advance("PT5M")
    view = dispatch.settle(booking["booking_id"])
    paper = next(s for s in view["steps"] if s["kind"] == "paper")
    assert paper["state"] == "todo" and paper["attempts"] == 2  # refused: nothing left, nothing to verify
    dispatch.settings(endpoints={"paper_outbox": ""})
    dispatch.advance("PT15M")
    view = dispatch.settle(booking["booking_id"])
    paper = next(s for s in view["steps"] if s["kind"] == "paper")
    assert paper["state"] == "done"
    assert len(dispatch.letters(booking)) == 1
