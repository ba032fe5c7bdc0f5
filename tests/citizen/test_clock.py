"""One clock for the whole simulator, over HTTP: set/advance/freeze/speed/reset are
audited, refused input names the field, and every timestamp the simulator writes
(actionDate/actionTime, read time, notification time, paper received and delivered)
follows it. Runs against a server in the test process, whose real-time source the freeze and speed
tests move by hand instead of sleeping."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from tests.citizen.conftest import clock_now, first_message_id, kallelse, set_clock, unique
from tests.support import ManualTime

pytestmark = pytest.mark.usefixtures("clean")
UTC = dt.UTC


def real_time(simulator, monkeypatch) -> ManualTime:
    """The in-process simulator's real-time source, moved by the test."""
    real = ManualTime(simulator.runtime.clock.real_now())
    monkeypatch.setattr(simulator.runtime.clock, "real_now", real)
    return real


def test_set_takes_swedish_local_time_and_freeze_holds_it(simulator, monkeypatch):
    real = real_time(simulator, monkeypatch)
    state = set_clock(simulator.url, {"set": "2027-06-01T08:30:00", "freeze": True})
    assert state["now"] == "2027-06-01T06:30:00+00:00" and state["now_local"].startswith("2027-06-01T08:30:00+02:00")
    real.advance(3600)
    assert clock_now(simulator.url) == dt.datetime(2027, 6, 1, 6, 30, tzinfo=UTC)


def test_advance_by_an_iso_duration(simulator):
    set_clock(simulator.url, {"advance": "P3D"})
    set_clock(simulator.url, {"advance": "PT90M"})
    assert clock_now(simulator.url) == dt.datetime(2027, 3, 4, 10, 30, tzinfo=UTC)


def test_speed_multiplies_real_time(simulator, monkeypatch):
    real = real_time(simulator, monkeypatch)
    set_clock(simulator.url, {"freeze": False, "speed": 60})
    start = clock_now(simulator.url)
    real.advance(1.5)
    assert clock_now(simulator.url) - start == dt.timedelta(seconds=90)


def test_reset_returns_to_real_time(simulator):
    state = set_clock(simulator.url, {"reset": True})
    assert not state["frozen"] and state["speed"] == 1 and abs(state["offset_seconds"]) < 5


def test_every_change_is_audited_with_before_after_and_actor(simulator):
    requests.post(
        f"{simulator.url}/api/clock", json={"advance": "P1D"}, headers={"X-Actor": "test-clock"}, timeout=10
    ).raise_for_status()
    entry = requests.get(f"{simulator.url}/api/clock/audit", timeout=10).json()[0]
    assert entry["command"] == {"advance": "P1D"} and entry["actor"] == "test-clock"
    before, after = (dt.datetime.fromisoformat(entry[k]) for k in ("sim_before", "sim_after"))
    assert after - before == dt.timedelta(days=1)


@pytest.mark.parametrize(
    "command, field",
    [
        ({"advance": "3 dagar"}, "advance"),
        ({"set": "i morgon"}, "set"),
        ({"speed": -1}, "speed"),
        ({"freeze": "ja"}, "freeze"),
    ],
)
def test_bad_commands_are_400_naming_the_field_and_change_nothing(simulator, command, field):
    before = requests.get(f"{simulator.url}/api/clock/audit", timeout=10).json()
    answer = requests.post(f"{simulator.url}/api/clock", json=command, timeout=10)
    assert answer.status_code == 400 and answer.json()["field"] == field
    assert clock_now(simulator.url) == dt.datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert requests.get(f"{simulator.url}/api/clock/audit", timeout=10).json() == before


def test_action_date_and_time_read_time_and_notification_time_follow_the_clock(simulator, care_system, people, citizen):
    pnr, bo = people["tolvan"], unique("clk")
    set_clock(simulator.url, {"advance": "P3D"})
    assert care_system.add_message(kallelse(pnr, bo, notify=True))[0] == "OK"
    [message] = care_system.api("GET", f"/api/threads/{bo}").json()["messages"]
    assert (message["action_date"], message["action_time"]) == ("2027-03-04", "10:00:00")
    [sms] = care_system.api("GET", "/api/notifications", params={"personnummer": pnr}).json()
    assert sms["created_at"] == "2027-03-04T09:00:00+00:00"

    set_clock(simulator.url, {"advance": "PT5H"})
    citizen.log_in(pnr)
    citizen.open_thread(first_message_id(care_system, bo))
    [message] = care_system.api("GET", f"/api/threads/{bo}").json()["messages"]
    assert message["read_at"] == "2027-03-04T14:00:00+00:00"


def test_paper_is_received_at_the_clock_time_and_delivered_when_the_clock_says(simulator, care_system, people):
    letter = {
        "personnummer": people["david"],
        "sender_facility": {"name": "VC Testvik"},
        "reason_rule_ids": ["CH-06"],
        "text": "Kallelse",
    }
    created = care_system.api("POST", "/api/paper-letters", json=letter).json()
    assert (created["received_at"], created["delivered_at"], created["status"]) == (
        "2027-03-01T09:00:00+00:00",
        "2027-03-03T09:00:00+00:00",
        "in_transit",
    )
    set_clock(simulator.url, {"advance": "P1D"})
    assert care_system.api("GET", f"/api/paper-letters/{created['letter_id']}").json()["status"] == "in_transit"
    set_clock(simulator.url, {"advance": "P2D"})  # three days after posting
    [listed] = care_system.api("GET", "/api/paper-letters", params={"status": "delivered"}).json()
    assert listed["letter_id"] == created["letter_id"]
    assert care_system.api("GET", "/api/paper-letters", params={"status": "in_transit"}).json() == []
