"""A citizen's Avboka reaches the care system even when the server dies before it could:
the care system's callback endpoint is down, the citizen cancels, the server's whole
process group is SIGKILLed while the delivery is pending (retries under way), a new server
starts on the same database, the care system comes up, and the event arrives: its
event_id, at least once and nothing else, and the row ends ``delivered``.

Delivery is at least once (HTTP offers no more); the care system de-duplicates on
event_id (docs/citizen.md)."""

from __future__ import annotations

import pytest

from contracts.bundle import builtin_bundle
from simulator.citizen.client import CitizenBrowser, SimulatorClient
from simulator.citizen.demo import demo_numbers
from simulator.citizen.store import CitizenSideStore
from simulator.storage import Database
from simulator.storage.database import sqlite_url
from tests.citizen.callback_receiver import Receiver
from tests.citizen.conftest import CONSUMER, first_message_id, kallelse
from tests.support import SimulatorProcess, wait_for

NO_DISPATCH = {"KALLELSE_DISPATCH_WORKERS": "0"}  # the care system here is the receiver


def stored_action(database_url: str, event_id: str) -> dict | None:
    """The row as the database holds it, read while no server runs."""
    db = Database(database_url)
    try:
        return CitizenSideStore(db).action(event_id)
    finally:
        db.dispose()


def cancel(server: SimulatorProcess) -> tuple[SimulatorClient, str]:
    """A kallelse for Tolvan and her Avboka in the 1177 inbox page; the event's id."""
    care_system = SimulatorClient(server.url, builtin_bundle(), consumer=CONSUMER)
    pnr = demo_numbers(care_system)["tolvan"]
    assert care_system.add_message(kallelse(pnr, "KILL-CB-1"))[0] == "OK"
    message_id = first_message_id(care_system, "KILL-CB-1")
    citizen = CitizenBrowser(server.url)
    citizen.log_in(pnr)
    answer = citizen.post_form(f"/inkorg/arende/{message_id}/bokning/cancel", "/inkorg")
    assert answer.status_code == 200 and "skickad till mottagningen" in answer.text
    [action] = care_system.api("GET", "/api/citizen-actions", params={"business_object_id": "KILL-CB-1"}).json()
    return care_system, action["event_id"]


def kill_while_pending_then_deliver(data_dir, database_url: str | None) -> None:
    receiver = Receiver()  # its port is named now; nothing listens there yet: the care system is down
    server = SimulatorProcess(data_dir, database_url=database_url, env=NO_DISPATCH).start()
    try:
        registration = {"source_system": CONSUMER, "url": receiver.url}
        assert server_api(server, "POST", "/api/callbacks", registration).status_code == 201
        care_system, event_id = cancel(server)
        wait_for(
            lambda: pending_after_retries(care_system, event_id),
            20,
            "the delivery to be retried while the receiver is down",
        )
        server.kill()  # master and workers, mid-backoff
    finally:
        server.stop()
    url = database_url or sqlite_url(data_dir)
    row = stored_action(url, event_id)
    assert row is not None and row["callback_status"] == "pending", row  # not delivered, not given up
    assert not receiver.received

    restarted = SimulatorProcess(data_dir, database_url=database_url, seed=False, env=NO_DISPATCH).start()
    try:
        receiver.start()  # the care system is back
        wait_for(lambda: receiver.received, 60, "the event to reach the care system after the restart")
        client = SimulatorClient(restarted.url, builtin_bundle(), consumer=CONSUMER)
        wait_for(lambda: delivered(client, event_id), 20, "the row to be marked delivered")
        assert set(receiver.event_ids) == {event_id}, receiver.event_ids  # at least once, only this event
    finally:
        restarted.stop()
        receiver.close()
    row = stored_action(url, event_id)
    assert row["callback_status"] == "delivered" and row["callback_attempts"] > 2
    print(f"\nattempts {row['callback_attempts']}, received {len(receiver.received)} time(s)")


def server_api(server: SimulatorProcess, method: str, path: str, body: dict):
    return SimulatorClient(server.url, builtin_bundle(), consumer=CONSUMER).api(method, path, json=body)


def _action(client: SimulatorClient, event_id: str) -> dict:
    found = client.api("GET", "/api/citizen-actions", params={"business_object_id": "KILL-CB-1"}).json()
    return next(a for a in found if a["event_id"] == event_id)


def pending_after_retries(client: SimulatorClient, event_id: str) -> bool:
    action = _action(client, event_id)
    return action["callback_status"] == "pending" and action["callback_attempts"] >= 2


def delivered(client: SimulatorClient, event_id: str) -> bool:
    return _action(client, event_id)["callback_status"] == "delivered"


@pytest.mark.slow
def test_a_pending_callback_survives_a_killed_server_on_sqlite(tmp_path):
    kill_while_pending_then_deliver(tmp_path / "sim", None)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_pending_callback_survives_a_killed_server_on_postgresql(tmp_path, postgres_url):
    kill_while_pending_then_deliver(tmp_path / "sim", postgres_url)
