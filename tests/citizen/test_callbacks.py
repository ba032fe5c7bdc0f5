"""Booking buttons reach the care system: the citizen's "Avboka"/"Boka om" is stored as
an event and POSTed as JSON to the callback URL the care system registered for its
sourceSystem, retried a bounded number of times by the process's delivery sweeper. The
receiver is a loopback HTTP server in this test process (callback_receiver.py)."""

from __future__ import annotations

import pytest

from simulator.citizen.callbacks import Policy
from tests.citizen.callback_receiver import Receiver
from tests.citizen.conftest import CONSUMER, first_message_id, kallelse, unique
from tests.support import wait_for

pytestmark = pytest.mark.usefixtures("clean")


@pytest.fixture()
def receiver():
    made = []

    def make(script=()):
        made.append(Receiver(script).start())
        return made[-1]

    yield make
    for item in made:
        item.close()


def press(care_system, citizen, pnr, action):
    bo = unique("cb")
    care_system.add_message(kallelse(pnr, bo))
    mid = first_message_id(care_system, bo)
    citizen.log_in(pnr)
    answer = citizen.post_form(f"/inkorg/arende/{mid}/bokning/{action}", "/inkorg")
    assert answer.status_code == 200 and "skickad till mottagningen" in answer.text
    return bo, mid


def actions(care_system, bo):
    return care_system.api("GET", "/api/citizen-actions", params={"business_object_id": bo}).json()


def test_cancel_is_posted_to_the_registered_callback_as_json(care_system, people, citizen, receiver):
    target = receiver()
    registered = care_system.api("POST", "/api/callbacks", json={"source_system": CONSUMER, "url": target.url})
    assert registered.status_code == 201
    bo, mid = press(care_system, citizen, people["tolvan"], "cancel")
    [got] = wait_for(lambda: target.received)
    assert got["type"] == "application/json"
    event = got["json"]
    assert (
        event["type"],
        event["personnummer"],
        event["business_object_id"],
        event["booking_id"],
        event["message_id"],
        event["source_system"],
        event["at"],
    ) == ("cancel", people["tolvan"], bo, f"B-{bo}", mid, CONSUMER, "2027-03-01T09:00:00+00:00")
    [stored] = wait_for(lambda: [a for a in actions(care_system, bo) if a["callback_status"] == "delivered"])
    assert stored["event_id"] == event["event_id"] and stored["callback_attempts"] == 1


def test_a_failing_care_system_is_retried_until_it_answers(care_system, people, citizen, receiver):
    target = receiver(script=[500, 503])
    care_system.api("POST", "/api/callbacks", json={"source_system": CONSUMER, "url": target.url})
    bo, _ = press(care_system, citizen, people["tolvan"], "rebook")
    [stored] = wait_for(lambda: [a for a in actions(care_system, bo) if a["callback_status"] == "delivered"])
    assert stored["callback_attempts"] == 3 and len(target.received) == 3
    assert len({r["json"]["event_id"] for r in target.received}) == 1  # the same event each time


def test_a_failed_attempt_is_scheduled_again_in_real_time(care_system, people, citizen, receiver):
    """The clock is frozen (the ``clean`` fixture): retries still come, in transport time."""
    target = receiver(script=[500])
    care_system.api("POST", "/api/callbacks", json={"source_system": CONSUMER, "url": target.url})
    bo, _ = press(care_system, citizen, people["tolvan"], "cancel")
    [waiting] = wait_for(lambda: [a for a in actions(care_system, bo) if a["callback_attempts"] == 1])
    assert waiting["callback_status"] == "pending" and waiting["callback_last_error"] == "HTTP 500"
    assert waiting["callback_next_attempt_at"] is not None and waiting["callback_lease_owner"] is None
    [stored] = wait_for(lambda: [a for a in actions(care_system, bo) if a["callback_status"] == "delivered"])
    assert stored["callback_attempts"] == 2 and stored["callback_next_attempt_at"] is None


def test_retries_are_bounded_and_the_failure_is_recorded(
    simulator, care_system, people, citizen, receiver, monkeypatch
):
    policy = Policy(delays=(0.2, 0.2, 0.2))  # the default tries for half an hour
    monkeypatch.setattr(simulator.app.extensions["citizen_callbacks"], "policy", policy)
    target = receiver(script=[500] * 10)
    care_system.api("POST", "/api/callbacks", json={"source_system": CONSUMER, "url": target.url})
    bo, _ = press(care_system, citizen, people["tolvan"], "cancel")
    [stored] = wait_for(lambda: [a for a in actions(care_system, bo) if a["callback_status"] == "failed"])
    assert stored["callback_attempts"] == policy.attempts == 4 == len(target.received)
    assert stored["callback_last_error"] == "HTTP 500" and stored["callback_next_attempt_at"] is None


def test_without_a_registration_the_event_is_only_stored(care_system, people, citizen):
    bo, _ = press(care_system, citizen, people["tolvan"], "cancel")
    [stored] = actions(care_system, bo)
    assert (stored["action"], stored["callback_status"], stored["callback_url"]) == ("cancel", "none", None)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "http://127.0.0.1/x"}, "source_system"),
        ({"source_system": "SE1", "url": "ftp://127.0.0.1/x"}, "url"),
        ({"source_system": "SE1", "url": "javascript:alert(1)"}, "url"),
        ({"source_system": "SE1"}, "url"),
    ],
)
def test_registrations_are_validated(care_system, body, field):
    answer = care_system.api("POST", "/api/callbacks", json=body)
    assert answer.status_code == 400 and answer.json()["field"] == field


def test_registrations_are_listed_replaced_and_removed(care_system):
    care_system.api("POST", "/api/callbacks", json={"source_system": "SE1", "url": "http://127.0.0.1:1/a"})
    care_system.api("POST", "/api/callbacks", json={"source_system": "SE1", "url": "http://127.0.0.1:1/b"})
    assert [(c["source_system"], c["url"]) for c in care_system.api("GET", "/api/callbacks").json()] == [
        ("SE1", "http://127.0.0.1:1/b")
    ]
    assert care_system.api("DELETE", "/api/callbacks/SE1").status_code == 204
    assert care_system.api("DELETE", "/api/callbacks/SE1").status_code == 404
