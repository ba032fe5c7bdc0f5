"""The platform's shared state on PostgreSQL (the scale path): firing counts that hold
across three worker processes, traffic filters, and retention pruning that folds the
deleted rows into the metrics exactly once (DELETE ... RETURNING, ON CONFLICT upsert)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.platform.support import CARE_SYSTEM, add_message, behaviour, metric, new_person, rule_state, traffic
from tests.support import SimulatorProcess

pytestmark = pytest.mark.postgres


@pytest.fixture()
def server(tmp_path, postgres_url):
    process = SimulatorProcess(
        tmp_path / "sim", database_url=postgres_url, workers=3, env={"KALLELSE_TRAFFIC_MAX_ROWS": "30"}
    ).start()
    yield process
    process.stop()


def test_behaviours_traffic_and_retention_on_postgres(server):
    pnr = new_person(server)
    rule = behaviour(
        server.url, {"match": {"personnummer": pnr}, "times": 7, "action": {"type": "soap_fault", "text": "pg"}}
    )
    sent, answers = 0, []
    with ThreadPoolExecutor(8) as pool:
        while sent < 1500 and len(traffic(server.url, personnummer=pnr, limit=500)) >= sent:
            answers += pool.map(
                lambda n: add_message(server.url, pnr, business_object_id=f"BO-PG-{n}"), range(sent, sent + 150)
            )
            sent += 150
    assert sum(1 for a in answers if a.status_code == 500) == 7
    assert rule_state(server.url, rule["id"])["fired"] == 7
    kept = traffic(server.url, personnummer=pnr, limit=500)
    assert 30 <= len(kept) < sent, (len(kept), sent)  # each worker prunes every 200 of its own inserts
    newest = kept[0]["business_object_id"]
    assert [r["id"] for r in traffic(server.url, business_object_id=newest)] == [kept[0]["id"]]
    assert all(r["consumer"] == CARE_SYSTEM for r in kept)
    call = {"contract": "AddMessage", "consumer": CARE_SYSTEM}
    assert metric(server, "kallelse_soap_requests_total", **call, outcome="ok") == sent - 7
    assert metric(server, "kallelse_soap_requests_total", **call, outcome="server_fault") == 7
