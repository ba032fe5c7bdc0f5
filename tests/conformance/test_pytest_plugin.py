"""The pytest plugin a vendor's CI adds: each rule becomes a test with its verdict."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conformance.profiles import BUILT_IN
from tests.conformance.vendor.system import read_profile
from tests.support import ROOT

pytestmark = pytest.mark.slow


def test_plugin_reports_each_rule_as_a_test(reference, example_vendor, tmp_path):
    """Against the example vendor with its directions link left out, as a vendor's
    pipeline would run it."""
    adapter = example_vendor.install("plugin", read_profile(BUILT_IN / "rjl.toml"), {"no_directions_link"})
    args = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "conformance.pytest_plugin",
        "-c",
        "/dev/null",
        "--rootdir",
        str(tmp_path),
        str(tmp_path),
        "-q",
        "-p",
        "no:cacheprovider",
        "--kallelse-adapter",
        adapter,
        "--kallelse-simulator",
        reference.url,
        "--kallelse-rules",
        "CH-02,MC-08",
        "--kallelse-report",
        str(tmp_path / "report"),
        "--junitxml",
        str(tmp_path / "pytest-junit.xml"),
    ]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=240)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "1 failed, 1 passed" in out, out
    assert "MC-08" in out and "expected:" in out and "hitta" in out
    assert (tmp_path / "report" / "index.html").exists()
    junit = (tmp_path / "pytest-junit.xml").read_text("utf-8")
    assert 'name="CH-02"' in junit and 'name="MC-08"' in junit
    report = json.loads((tmp_path / "report" / "report.json").read_text("utf-8"))
    ch02 = next(r for r in report["rules"] if r["rule_id"] == "CH-02")
    assert ch02["status"] == "pass" and "1 paper letter" in json.dumps(ch02["findings"])
