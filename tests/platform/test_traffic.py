"""Recorded traffic through a real server: what one record holds, every filter, paging,
JSON Lines export with personnummer masking, the contract rules a request broke (MC-01,
MC-04), the retention limit, and the Prometheus metrics built from it."""

from __future__ import annotations

import json

import pytest
import requests

from tests.inbox import wire
from tests.platform.support import (
    CARE_SYSTEM,
    OTHER_SYSTEM,
    VP_ADDRESS,
    add_message,
    clear,
    metric,
    new_person,
    result_code,
    traffic,
)
from tests.support import InProcessSimulator


@pytest.fixture(scope="module")
def server(simulator):
    clear(simulator.url)
    return simulator


def wrong_check_digit(pnr: str) -> str:
    return pnr[:11] + str((int(pnr[11]) + 1) % 10)


def test_one_record_holds_the_whole_exchange(server):
    pnr = new_person(server)
    response = add_message(server.url, pnr, business_object_id="BO-REC-1", source_system="SE-SRC")
    assert result_code(response) == "OK"
    [summary] = traffic(server.url, personnummer=pnr)
    assert "request_body" not in summary
    record = requests.get(f"{server.url}/api/traffic/{summary['id']}", timeout=10).json()
    assert record["contract"] == "AddMessage"
    assert record["soap_action"] == wire.ADD_MESSAGE_ACTION
    assert (record["consumer"], record["original_consumer"], record["logical_address"]) == (
        CARE_SYSTEM,
        CARE_SYSTEM,
        VP_ADDRESS,
    )
    assert (record["personnummer"], record["business_object_id"], record["source_system"]) == (
        [pnr],
        "BO-REC-1",
        "SE-SRC",
    )
    assert (record["http_status"], record["outcome"], record["verdict"], record["result_code"]) == (
        200,
        "ok",
        "valid",
        "OK",
    )
    assert record["rule_ids"] == [] and record["route"] == "builtin" and record["latency_ms"] > 0
    assert pnr in record["request_body"] and record["response_body"] == response.text
    clock = requests.get(f"{server.url}/api/clock", timeout=10).json()
    assert record["time"][:10] == clock["now"][:10]  # simulated time


def test_simulated_time_is_recorded(server):
    requests.post(f"{server.url}/api/clock", json={"set": "2031-05-04T10:00:00+02:00", "freeze": True}, timeout=10)
    try:
        pnr = new_person(server)
        add_message(server.url, pnr)
        [record] = traffic(server.url, personnummer=pnr)
        assert record["time"].startswith("2031-05-04T08:00:00")
        assert traffic(server.url, personnummer=pnr, since="2031-05-04T09:59:00", until="2031-05-04T10:01:00")
        assert not traffic(server.url, personnummer=pnr, since="2031-05-04T10:00:01")
        assert not traffic(server.url, personnummer=pnr, until="2031-05-04T10:00:00")
    finally:
        requests.post(f"{server.url}/api/clock", json={"reset": True}, timeout=10)


def test_rule_ids_and_verdict(server):
    pnr = new_person(server)
    add_message(server.url, wrong_check_digit(pnr))
    [record] = traffic(server.url, personnummer=wrong_check_digit(pnr))
    assert "MC-04" in record["rule_ids"] and record["verdict"] == "invalid"
    add_message(server.url, pnr, logical_address=None)
    [record] = traffic(server.url, personnummer=pnr)
    assert record["rule_ids"] == ["MC-01"] and record["fault_code"] == "VP003"
    body = wire.envelope(wire.add_message_body(pnr).replace("<notify>false</notify>", ""), VP_ADDRESS)
    wire.post(server.url, "/inbox/AddMessage/2/rivtabp21", body, wire.ADD_MESSAGE_ACTION, CARE_SYSTEM)
    record = traffic(server.url, personnummer=pnr)[0]
    assert (record["outcome"], record["fault_code"], record["rule_ids"]) == ("client_fault", "Client", ["MC-01"])
    wire.post(server.url, "/inbox/AddMessage/2/rivtabp21", b"<not-soap", wire.ADD_MESSAGE_ACTION, "SE-GARBAGE")
    [record] = traffic(server.url, consumer="SE-GARBAGE")
    assert (record["verdict"], record["outcome"], record["personnummer"]) == ("invalid", "client_fault", [])
    assert [r["id"] for r in traffic(server.url, rule_id="MC-04", personnummer=wrong_check_digit(pnr))]
    assert not traffic(server.url, rule_id="MC-04", personnummer=pnr)


def test_filters(server):
    pnr, other = new_person(server), new_person(server)
    add_message(server.url, pnr, business_object_id="BO-F-1")
    add_message(server.url, other, consumer=OTHER_SYSTEM, business_object_id="BO-F-2")
    wire.ask_profile(server.url, "GetUserProfile", pnr)
    assert {r["contract"] for r in traffic(server.url, personnummer=pnr)} == {"AddMessage", "GetUserProfile"}
    assert [r["personnummer"] for r in traffic(server.url, contract="AddMessage", personnummer=pnr)] == [[pnr]]
    assert [r["business_object_id"] for r in traffic(server.url, consumer=OTHER_SYSTEM)] == ["BO-F-2"]
    assert [r["personnummer"] for r in traffic(server.url, business_object_id="BO-F-1")] == [[pnr]]
    assert all(r["verdict"] == "valid" for r in traffic(server.url, verdict="valid"))
    assert all(r["outcome"] == "platform_fault" for r in traffic(server.url, outcome="platform_fault"))
    assert traffic(server.url, personnummer=pnr[:11]) == []  # a token, not a prefix
    assert traffic(server.url, logical_address="NO-SUCH-ADDRESS") == []


def test_paging_newest_first(server):
    pnr = new_person(server)
    for number in range(5):
        add_message(server.url, pnr, business_object_id=f"BO-P-{number}")
    first = requests.get(f"{server.url}/api/traffic", params={"personnummer": pnr, "limit": 2}, timeout=10).json()
    assert [r["business_object_id"] for r in first["items"]] == ["BO-P-4", "BO-P-3"]
    second = requests.get(
        f"{server.url}/api/traffic",
        timeout=10,
        params={"personnummer": pnr, "limit": 2, "before": first["next_before"]},
    ).json()
    third = requests.get(
        f"{server.url}/api/traffic",
        timeout=10,
        params={"personnummer": pnr, "limit": 2, "before": second["next_before"]},
    ).json()
    assert [r["business_object_id"] for r in second["items"] + third["items"]] == ["BO-P-2", "BO-P-1", "BO-P-0"]
    assert third["next_before"] is None


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"verdict": "maybe"}, "verdict"),
        ({"outcome": "fine"}, "outcome"),
        ({"since": "yesterday"}, "since"),
        ({"bodies": "perhaps"}, "bodies"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(server, params, field):
    answer = requests.get(f"{server.url}/api/traffic", params=params, timeout=10)
    assert answer.status_code == 400 and answer.json()["field"] == field


def test_export_as_json_lines_with_masking(server):
    pnr = new_person(server)
    add_message(server.url, pnr, business_object_id="BO-X-1", msg=f"<article><para>Patient {pnr}</para></article>")
    add_message(server.url, pnr, business_object_id="BO-X-2")
    export = requests.get(f"{server.url}/api/traffic/export", params={"personnummer": pnr}, timeout=10)
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in export.text.splitlines()]
    assert [r["business_object_id"] for r in records] == ["BO-X-1", "BO-X-2"]  # oldest first
    assert pnr not in export.text and f"{pnr[:8]}-****" in records[0]["request_body"]
    assert records[0]["personnummer"] == [f"{pnr[:8]}-****"]
    unmasked = requests.get(
        f"{server.url}/api/traffic/export", params={"personnummer": pnr, "mask": "false"}, timeout=10
    )
    assert pnr in json.loads(unmasked.text.splitlines()[0])["request_body"]
    listed = requests.get(
        f"{server.url}/api/traffic", params={"personnummer": pnr, "mask": "true", "bodies": "true"}, timeout=10
    ).text
    assert pnr not in listed


def test_metrics(server):
    pnr = new_person(server)
    add_message(server.url, pnr, consumer="SE-METRICS")
    add_message(server.url, pnr, consumer="SE-METRICS", logical_address=None)
    call = {"contract": "AddMessage", "consumer": "SE-METRICS"}
    assert metric(server, "kallelse_soap_requests_total", **call, outcome="ok") == 1
    assert metric(server, "kallelse_soap_faults_total", **call, code="VP003") == 1
    assert metric(server, "kallelse_soap_request_duration_seconds_count", **call) == 2
    assert metric(server, "kallelse_soap_request_duration_seconds_bucket", **call, le="+Inf") == 2
    assert requests.get(f"{server.url}/metrics", timeout=10).headers["Content-Type"].startswith("text/plain")


def test_retention_keeps_the_newest_rows_and_the_counters(tmp_path):
    server = InProcessSimulator(tmp_path / "sim", env={"KALLELSE_TRAFFIC_MAX_ROWS": "50"}).start()
    try:
        pnr = new_person(server)
        for number in range(230):
            add_message(server.url, pnr, business_object_id=f"BO-R-{number}")
        kept = traffic(server.url, limit=500)
        assert 50 <= len(kept) <= 50 + 200  # pruned every 200 inserts down to the newest 50
        assert kept[0]["business_object_id"] == "BO-R-229"
        assert "BO-R-0" not in {r["business_object_id"] for r in kept}
        ok = {"contract": "AddMessage", "consumer": CARE_SYSTEM, "outcome": "ok"}
        assert metric(server, "kallelse_soap_requests_total", **ok) == 230
    finally:
        server.stop()


def test_reset_forgets_traffic_and_behaviours(fresh_simulator):
    add_message(fresh_simulator.url, new_person(fresh_simulator))
    requests.post(f"{fresh_simulator.url}/api/behaviours", json={"action": {"type": "delay", "ms": 1}}, timeout=10)
    assert requests.post(f"{fresh_simulator.url}/api/reset", timeout=30).status_code == 200
    assert traffic(fresh_simulator.url) == []
    assert requests.get(f"{fresh_simulator.url}/api/behaviours", timeout=10).json()["items"] == []


def test_prune_deletes_by_age_only_when_the_oldest_row_is_past_the_limit(tmp_path):
    """Rows past ``max_rows`` always go; rows past ``max_age`` go too, found through the
    oldest row (real_time has no index: the age condition is used only when needed)."""
    import datetime as dt

    import sqlalchemy as sa

    from simulator import schema
    from simulator.platform.trafficstore import Exchange, Retention, TrafficStore, traffic
    from simulator.storage import Database

    db = Database(f"sqlite:///{tmp_path / 'traffic.sqlite'}")
    schema.upgrade(db)
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    store = TrafficStore(db, Retention(max_rows=100, max_age=dt.timedelta(days=7)))

    def add(count: int, age: dt.timedelta, tag: str) -> None:
        for n in range(count):
            at = now - age
            store.record(Exchange(at, at, "AddMessage", 200, "ok", "valid", 1.0, business_object_id=f"{tag}{n}"))

    def kept() -> set[str]:
        with db.engine.connect() as conn:
            return {r.business_object_id for r in conn.execute(sa.select(traffic.c.business_object_id))}

    add(3, dt.timedelta(days=8), "old")
    add(5, dt.timedelta(hours=1), "new")
    assert store.prune(now) == 3
    assert kept() == {f"new{n}" for n in range(5)}
    assert store.prune(now) == 0  # nothing old any more, and fewer rows than max_rows
    add(120, dt.timedelta(minutes=1), "many")
    assert store.prune(now) == 25  # the 125 rows down to the newest 100
    assert len(kept()) == 100 and "many119" in kept()
    db.dispose()
