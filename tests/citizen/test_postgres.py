"""The citizen side on the scale path: the same tables, sizes, session key, notifications
and read marks on PostgreSQL (a server of its own, in its own schema)."""

from __future__ import annotations

import base64

import pytest

from contracts.bundle import builtin_bundle
from simulator.citizen.client import CitizenBrowser, SimulatorClient
from simulator.citizen.demo import demo_numbers
from tests.citizen.conftest import kallelse
from tests.citizen.test_outboxes import PDF, letter
from tests.support import SimulatorProcess


@pytest.mark.postgres
def test_outboxes_and_pages_work_on_postgresql(tmp_path, postgres_url):
    server = SimulatorProcess(tmp_path / "sim", database_url=postgres_url).start()
    try:
        client = SimulatorClient(server.url, builtin_bundle())
        people = demo_numbers(client)
        assert client.add_message(kallelse(people["karl"], "pg-1", notify=True))[0] == "OK"
        assert len(client.api("GET", "/api/notifications").json()) == 2
        body = {**letter(people["lova"], protected_address_route=True)}
        del body["text"]
        body["pdf_base64"] = base64.b64encode(PDF).decode()
        assert client.api("POST", "/api/paper-letters", json=body).status_code == 201
        assert client.api("GET", "/api/paper-letters").json()[0]["size"] == len(PDF)
        citizen = CitizenBrowser(server.url)
        citizen.log_in(people["karl"])
        citizen.open_thread(client.api("GET", "/api/threads/pg-1").json()["messages"][0]["message_id"])
        assert client.message_status(people["karl"], "pg-1")["messages"][0]["caseReadStatus"] == "Read"
    finally:
        server.stop()
