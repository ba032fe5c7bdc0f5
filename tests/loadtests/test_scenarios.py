"""Every locust scenario, short, through ``kallelse load run`` exactly as a tester runs
it: real locust processes (distributed once), a real simulator, the CI SLO profile (loose
on speed: a shared 2-core machine) and strict reconciliation. Under two minutes in all.

The figures these short runs print are not performance figures: those come from
``kallelse load matrix`` (docs/loadtests.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import ROOT, SimulatorProcess

pytestmark = pytest.mark.slow


def load_run(report, *args: str, timeout: float = 240) -> tuple[int, dict, str]:
    command = [
        sys.executable,
        "-m",
        "simulator.cli",
        "load",
        "run",
        "--report",
        str(report),
        "--slo-profile",
        "ci",
        *args,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    summary_path = report / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return done.returncode, summary, done.stdout + done.stderr


def assert_passed(code: int, summary: dict, output: str) -> None:
    assert code == 0, output[-4000:]
    assert summary["reconciliation"]["ok"], summary["reconciliation"]
    assert all(v["ok"] for v in summary["slo"]), summary["slo"]


def stat(summary: dict, name: str) -> dict:
    return next(row for row in summary["stats"] if row["Name"] == name)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One seeded simulator for the runs with ``--target`` (the screening campaign moves
    its clock, so it runs last)."""
    server = SimulatorProcess(tmp_path_factory.mktemp("load-target"), workers=2).start()
    yield server
    server.stop()


def test_vendor_traffic_and_citizens_reading_distributed(shared, tmp_path):
    code, summary, output = load_run(
        tmp_path / "r",
        "--scenario",
        "vendor_traffic,citizens_reading",
        "--target",
        shared.url,
        "--users",
        "6",
        "--spawn-rate",
        "6",
        "--duration",
        "10s",
        "--workers",
        "2",
    )
    assert_passed(code, summary, output)
    for name in ("AddMessage", "GetUserProfile", "/inkorg", "/inkorg/arende/[id]"):
        assert stat(summary, name)["Request Count"] > 0, name
    checks = {c["name"]: c for c in summary["reconciliation"]["checks"]}
    assert checks["AddMessage acknowledged = stored once"]["checked"] >= stat(summary, "AddMessage")["Request Count"]
    assert checks["opened threads stored as Read"]["checked"] > 0
    assert len(list((tmp_path / "r" / "ledger").glob("ledger-*.jsonl"))) == 2  # one per worker
    assert (tmp_path / "r" / "locust.html").stat().st_size > 0


def test_dispatch_end_to_end_on_its_own_server(tmp_path):
    code, summary, output = load_run(
        tmp_path / "r",
        "--scenario",
        "dispatch_end_to_end",
        "--users",
        "3",
        "--spawn-rate",
        "3",
        "--duration",
        "10s",
        "--server-processes",
        "2",
    )
    assert_passed(code, summary, output)
    assert stat(summary, "E2E booking→inbox")["Request Count"] > 0
    assert summary["resources"]["cpu_seconds"] > 0 and summary["resources"]["peak_rss_mb"] > 50
    bookings = summary["after"]["bookings"]
    assert bookings == stat(summary, "/dispatch/api/bookings")["Request Count"] > 0
    assert "## Reconciliation" in (tmp_path / "r" / "summary.md").read_text()


def test_screening_campaign_burst_drain_and_fallback(shared, tmp_path):
    code, summary, output = load_run(
        tmp_path / "r",
        "--scenario",
        "screening_campaign",
        "--target",
        shared.url,
        "--users",
        "4",
        "--spawn-rate",
        "4",
        "--bookings",
        "80",
        "--citizens-per-user",
        "3",
        "--duration",
        "90s",
    )
    assert_passed(code, summary, output)
    after = summary["after"]
    assert after["bookings"] == 80 and after["clock_advanced"] == "P3D"
    assert after["drain_s"] is not None and after["fallback_drain_s"] is not None
    outcomes = next(c for c in summary["reconciliation"]["checks"] if "demand" in c["name"])["outcomes"]
    assert outcomes.get("digital_only + FB-01", 0) + outcomes.get("digital_only + FB-02", 0) > 0, outcomes
