"""The SOAP benchmark runs end to end (real ``kallelse serve``, the lxml floor app under
gunicorn, the load generator) and every answered AddMessage is OK and stored. No
assertion on speed: figures are for docs/performance.md, not for a noisy CI machine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.support import ROOT, require

pytestmark = pytest.mark.slow


def run_bench(tmp_path, *args: str) -> dict:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtests.bench_soap",
            "--duration",
            "2",
            "--warmup",
            "0",
            "--connections",
            "4",
            "--targets",
            "simulator,floor,spyne",
            "--json",
            str(out),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "simulator/floor = " in result.stdout, result.stdout
    return json.loads(out.read_text())


def assert_all_ok(report: dict, client: str) -> None:
    rows = {row["target"]: row for row in report["results"]}
    for name in ("simulator", "floor"):
        row = rows[name]
        assert row["client"] == client
        assert row["answered"] > 0 and row["rps"] > 0 and row["p99_ms"] >= row["p50_ms"] > 0, row
        assert row["not_ok_total"] == 0 and row["errors"] == 0, row
    simulator = rows["simulator"]
    # OK only after commit: every OK answer is a stored inbox message.
    assert simulator["stored"] >= simulator["ok"], simulator
    spyne = rows["spyne"]
    assert "skipped" in spyne or (spyne["answered"] > 0 and spyne["not_ok_total"] == 0), spyne
    assert report["simulator_over_floor"] > 0


def test_bench_with_the_python_client_and_the_in_process_breakdown(tmp_path):
    report = run_bench(tmp_path, "--client", "python")
    assert_all_ok(report, "python")
    micro = report["micro"]
    for step in (
        "parse envelope",
        "validate (XSD)",
        "INSERT + COMMIT",
        "producer (domain + store)",
        "simulator app, in-process",
        "floor app, in-process",
    ):
        assert micro[step]["cpu_us"] > 0, micro


def test_bench_with_wrk(tmp_path):
    require(shutil.which("wrk") is not None, "wrk (apt-get install wrk)")
    assert_all_ok(run_bench(tmp_path, "--client", "wrk", "--no-micro"), "wrk")
