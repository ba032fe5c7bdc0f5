"""Reconciliation and SLO verdicts can fail: a lost or duplicated message, a lost booking
or a duplicated letter is found on a real simulator, and an SLO that is not met turns into
``kallelse load run``'s exit code 1."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from loadtests import dispatch_checks, ledger, reconcile, slo, wire
from simulator.citizen.client import Kallelse
from tests.support import ROOT, wait_for

RUN = "rc0test1"
MSG = "<article><para>Välkommen.</para></article>"


def add_message(url: str, pnr: str, bo: str) -> str:
    request = wire.add_message(Kallelse(personnummer=pnr, msg=MSG, business_object_id=bo))
    answer = requests.post(url + request.path, data=request.body, headers=request.headers, timeout=30)
    return wire.result_code(answer.status_code, answer.content)


def reachable_citizen(url: str) -> str:
    items = requests.get(f"{url}/api/citizens?seeded=true&limit=1000", timeout=30).json()["items"]
    return next(
        c["personnummer"]
        for c in items
        if c["account"]["exists"] and c["account"]["active"] and not c["deceased"] and not c["protected"]
    )


def check(result: dict, name: str) -> dict:
    return next(c for c in result["checks"] if c["name"] == name)


def test_acknowledged_and_stored_once_passes(simulator):
    pnr = reachable_citizen(simulator.url)
    assert add_message(simulator.url, pnr, f"LT-{RUN}-1-1") == "OK"
    result = reconcile.run_checks(
        simulator.url, {"addmessage": [{"pnr": pnr, "bo": f"LT-{RUN}-1-1", "code": "OK"}]}, RUN
    )
    assert result["ok"], result


def test_a_lost_message_fails(simulator):
    pnr = reachable_citizen(simulator.url)
    result = reconcile.run_checks(
        simulator.url, {"addmessage": [{"pnr": pnr, "bo": f"LT-{RUN}-never-sent", "code": "OK"}]}, RUN
    )
    stored = check(result, "AddMessage acknowledged = stored once")
    assert not result["ok"] and stored["problems"] == 1 and stored["first_problems"][0].startswith("lost")


def test_a_duplicated_message_fails_and_an_unacknowledged_one_is_counted(simulator):
    pnr = reachable_citizen(simulator.url)
    run = RUN + "dup"  # its own run id: the module's other messages are not this run's
    for _ in range(2):
        assert add_message(simulator.url, pnr, f"LT-{run}-2-1") == "OK"
    assert add_message(simulator.url, pnr, f"LT-{run}-2-2") == "OK"  # stored, never acknowledged in the ledger
    result = reconcile.run_checks(
        simulator.url, {"addmessage": [{"pnr": pnr, "bo": f"LT-{run}-2-1", "code": "OK"}]}, run
    )
    stored = check(result, "AddMessage acknowledged = stored once")
    assert not result["ok"] and stored["first_problems"][0].startswith("duplicated")
    assert stored["stored_without_acknowledgement"] == 1


def test_an_unread_message_claimed_read_fails(simulator):
    pnr = reachable_citizen(simulator.url)
    assert add_message(simulator.url, pnr, f"LT-{RUN}-3-1") == "OK"
    message = next(
        m
        for t in requests.get(f"{simulator.url}/api/citizens/{pnr}/inbox", timeout=30).json()["threads"]
        for m in t["messages"]
        if m["business_object_id"] == f"LT-{RUN}-3-1"
    )
    result = reconcile.run_checks(simulator.url, {"read": [{"pnr": pnr, "message_id": message["message_id"]}]}, RUN)
    assert not check(result, "opened threads stored as Read")["ok"]


def test_a_lost_booking_and_a_duplicated_letter_fail(simulator_process):  # needs the dispatch worker
    simulator = simulator_process
    pnr = reachable_citizen(simulator.url)
    body = {
        "booking_id": f"RC-{RUN}-1",
        "personnummer": pnr,
        "profile": "rjl",
        "visit_start": "2099-05-04T09:30",
        "physical_enclosures": ["Remiss"],  # CH-12: paper only
        "facility": {"hsa_id": "SE2321000065-E12", "name": "Klinisk fysiologi"},
    }
    assert requests.post(f"{simulator.url}/dispatch/api/bookings", json=body, timeout=30).status_code == 201
    api = reconcile.Api(simulator.url)
    booked = [{"booking_id": body["booking_id"], "pnr": pnr}]

    def delivered() -> bool:  # the embedded worker decides within a second or two
        decision = api.get(f"/dispatch/api/bookings/{body['booking_id']}/decision")
        return bool(decision["deliveries"]) and all(d["state"] == "done" for d in decision["deliveries"])

    wait_for(delivered, 20, "the dispatch worker to deliver", 0.2)
    decided, outputs = dispatch_checks.booking_checks(api, booked, expect_fallback=False)
    assert decided.ok and outputs.ok, (decided.problems, outputs.problems)
    letter = {
        "personnummer": pnr,
        "booking_id": body["booking_id"],
        "text": "Kallelse, en gång till",
        "sender_facility": {"name": "Klinisk fysiologi", "hsa_id": "SE2321000065-E12"},
    }
    assert requests.post(f"{simulator.url}/api/paper-letters", json=letter, timeout=30).status_code == 201
    _, outputs = dispatch_checks.booking_checks(api, booked, expect_fallback=False)
    assert not outputs.ok and outputs.problems[0].startswith("duplicated")
    decided, _ = dispatch_checks.booking_checks(api, [{"booking_id": f"RC-{RUN}-unknown", "pnr": pnr}], False)
    assert not decided.ok and decided.problems[0].startswith("lost")


def test_ledger_files_per_process_and_a_torn_last_line(tmp_path):
    first, second = ledger.Ledger(tmp_path), ledger.Ledger(tmp_path)
    first.record("addmessage", pnr="1", bo="a", code="OK")
    second.record("booking", booking_id="b", pnr="2", accepted_at=1.0)
    first.close(), second.close()
    with open(second.path, "a") as handle:
        handle.write('{"kind": "booking", "booking_')  # a process killed mid-line
    entries = ledger.read(tmp_path)
    assert entries["addmessage"] == [{"pnr": "1", "bo": "a", "code": "OK"}] and len(entries["booking"]) == 1


ROW = {"Type": "POST", "Name": "AddMessage", "Request Count": 1000, "Failure Count": 2, "Requests/s": 50.0, "99%": 300}


@pytest.mark.parametrize(
    "objectives, failing",
    [
        ({"p99_ms": 299}, "p99 POST AddMessage (ms)"),
        ({"error_rate": 0.001}, "error rate"),
        ({"min_rps": 51}, "requests/s"),
        ({"metrics": {"E2E booking→inbox": {"p99_ms": 1}}}, "E2E booking→inbox: measured"),
        ({"max_drain_s": 10}, "time to drain (s)"),
        ({"max_rss_growth_mb": 64}, "server memory growth after warm-up (MB)"),
    ],
)
def test_each_slo_can_fail(objectives, failing):
    verdicts = slo.evaluate({"metrics": {}, **objectives}, [ROW], {"drain_s": 11, "rss_growth_mb": 65})
    assert [v["objective"] for v in verdicts if not v["ok"]] == [failing]


def test_memory_trend_is_warm_up_median_against_end_median():
    from loadtests.servers import ResourceSampler

    sampler = ResourceSampler([])
    mb = 2**20
    sampler.series = [500 * mb] * 10 + [100 * mb] * 10 + [101 * mb] * 70 + [120 * mb] * 10  # start-up peak ignored
    trend = sampler.memory_trend()
    assert (trend["rss_start_mb"], trend["rss_end_mb"], trend["rss_growth_mb"]) == (100.0, 120.0, 20.0)
    assert trend["rss_tenths_mb"] == [500.0, 100.0] + [101.0] * 7 + [120.0]  # the shape: leak or plateau


def test_slo_profiles_combine_scenarios_and_name_unknown_keys(tmp_path):
    combined = slo.load("ci", ["vendor_traffic", "citizens_reading"])
    assert combined["min_rps"] == 5 and combined["p99_ms"] == 5000
    bad = tmp_path / "slo.toml"
    bad.write_text("[x.vendor_traffic]\np99 = 3\n")
    with pytest.raises(slo.SloError, match="p99"):
        slo.load("x", ["vendor_traffic"], bad)


def test_an_unmet_slo_is_exit_code_1(simulator, tmp_path):
    impossible = tmp_path / "slo.toml"
    impossible.write_text("[strict.vendor_traffic]\nmin_rps = 1000000\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "load",
            "run",
            "--scenario",
            "vendor_traffic",
            "--target",
            simulator.url,
            "--users",
            "2",
            "--duration",
            "4s",
            "--slo",
            str(impossible),
            "--slo-profile",
            "strict",
            "--report",
            str(tmp_path / "r"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert done.returncode == 1, done.stdout[-3000:]
    assert summary["reconciliation"]["ok"] and [v["ok"] for v in summary["slo"]] == [False]
