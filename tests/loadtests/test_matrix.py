"""``kallelse load matrix`` produces the whole performance table in one command: a tiny
version (SQLite, one server process, seconds per run) must give every scenario a
reconciled row beside a measured floor."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.slow


def test_matrix_writes_every_scenario_beside_the_floor(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "load",
            "matrix",
            "--report",
            str(tmp_path),
            "--databases",
            "sqlite",
            "--processes",
            "1",
            "--duration",
            "4s",
            "--users",
            "2",
            "--bookings",
            "20",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    cells = json.loads((tmp_path / "matrix.json").read_text())["results"]["sqlite-1"]
    assert cells["floor: AddMessage"]["rps"] > 0
    for label in (
        "simulator: AddMessage",
        "vendor_traffic + citizens_reading",
        "dispatch_end_to_end",
        "screening_campaign",
    ):
        cell = cells[label]
        assert cell["reconciled"] and cell["rps"] > 0 and cell["ratio"] == round(cell["rps"] / cell["floor_rps"], 2)
        assert cell["resources"]["peak_rss_mb"] > 0
    assert cells["dispatch_end_to_end"]["e2e_p99"] is not None
    table = (tmp_path / "matrix.md").read_text()
    assert table.count("| sqlite | 1 |") == 4 and "## screening_campaign" in table
