"""Acceptance: ``kallelse conformance run --all`` passes against the reference dispatch
core on both profiles, through the CLI as a vendor runs it, writing all three reports;
the HTML report is screenshotted by a real browser."""

from __future__ import annotations

import json
import time

import pytest
import requests
from click.testing import CliRunner
from lxml import etree

from conformance.catalog import PASSIVE_RULES, RULES
from conformance.cli import conformance
from conformance.profiles import BUILT_IN
from tests.conformance.conftest import DOCS, UPDATE_DOCS
from tests.conformance.vendor.system import read_profile
from tests.support import require

pytestmark = pytest.mark.slow
REPORTS = {}


@pytest.mark.parametrize("profile", ["rjl", "vgr"])
def test_reference_engine_passes_every_rule(reference, tmp_path_factory, profile):
    reference.reset()
    report = tmp_path_factory.mktemp(f"report-{profile}")
    began = time.monotonic()
    result = CliRunner().invoke(
        conformance,
        [
            "run",
            "--profile",
            profile,
            "--adapter",
            reference.adapter_url,
            "--simulator",
            reference.url,
            "--all",
            "--report",
            str(report),
        ],
    )
    print(f"conformance run --all --profile {profile}: {time.monotonic() - began:.0f} s")
    assert result.exit_code == 0, result.output
    data = json.loads((report / "report.json").read_text("utf-8"))
    assert data["summary"]["pass"] == len(RULES) and data["certificate"]["profile"] == profile
    suite = etree.parse(str(report / "junit.xml")).getroot()
    assert len(suite.findall("testcase")) == len(RULES) and suite.get("failures") == "0"
    assert all(rule["findings"] and rule["evidence"] for rule in data["rules"])
    REPORTS[profile] = report


def check_traffic(reference, since: str, report, consumer: str | None = None) -> tuple[int, dict]:
    consumer = consumer or requests.get(f"{reference.url}/dispatch/api/settings", timeout=10).json()["consumer_hsa_id"]
    result = CliRunner().invoke(
        conformance,
        [
            "check-traffic",
            "--simulator",
            reference.url,
            "--since",
            since,
            "--consumer",
            consumer,
            "--report",
            str(report),
        ],
    )
    verdicts = {r["rule_id"]: r for r in json.loads((report / "report.json").read_text("utf-8"))["rules"]}
    return result.exit_code, verdicts


def test_check_traffic_passes_the_reference_runs_window(reference, tmp_path):
    report = REPORTS.get("rjl")
    if report is None:
        pytest.skip("the rjl run did not produce a report")
    since = json.loads((report / "report.json").read_text("utf-8"))["certificate"]["simulator_time"]
    code, verdicts = check_traffic(reference, since, tmp_path)
    assert sorted(verdicts) == sorted(PASSIVE_RULES)
    assert code == 0, {k: v["summary"] for k, v in verdicts.items() if v["status"] != "pass"}
    assert len(verdicts["MC-01"]["findings"]) > 50  # every request of the run was re-validated


def test_a_broken_rule_fails_with_exit_1_actively_and_passively(reference, example_vendor, tmp_path):
    """The example vendor sending notify=true without sourceSystem (its MC-03 defect)."""
    adapter = example_vendor.install("no-source", read_profile(BUILT_IN / "rjl.toml"), {"no_source_system"})
    since = requests.get(f"{reference.url}/api/clock", timeout=10).json()["now"]
    result = CliRunner().invoke(
        conformance,
        [
            "run",
            "--profile",
            "rjl",
            "--adapter",
            adapter,
            "--simulator",
            reference.url,
            "--rules",
            "MC-03,MC-08",
            "--report",
            str(tmp_path / "active"),
        ],
    )
    assert result.exit_code == 1, result.output
    verdicts = {r["rule_id"]: r for r in json.loads((tmp_path / "active" / "report.json").read_text("utf-8"))["rules"]}
    assert verdicts["MC-03"]["status"] == "fail" and verdicts["MC-08"]["status"] == "pass"
    assert "sourceSystem" in verdicts["MC-03"]["findings"][0]["expected"]
    assert "<sourceSystem>" not in json.dumps(verdicts["MC-03"]["evidence"]) and "notify" in json.dumps(
        verdicts["MC-03"]["evidence"]
    )
    code, passive = check_traffic(reference, since, tmp_path / "passive", example_vendor.systems["no-source"].consumer)
    assert code == 1 and passive["MC-03"]["status"] == "fail"
    assert {rule for rule, v in passive.items() if v["status"] == "fail"} == {"MC-03"}


@pytest.mark.browser
def test_screenshot_of_the_html_report(artifacts):
    """A real browser renders the report (screen and print); the screenshot is kept."""
    report = REPORTS.get("rjl")
    if report is None:
        pytest.skip("the rjl run did not produce a report")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Python Playwright")
    import shutil
    from pathlib import Path

    require(Path("/usr/bin/chromium").exists(), "Debian chromium at /usr/bin/chromium")
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.goto((report / "index.html").as_uri())
        assert page.locator("section.rule").count() == len(RULES)
        assert page.locator("#certificate").inner_text().count(f"{len(RULES)} of {len(RULES)}") == 1
        page.locator("section.rule#CH-03 details").first.click()
        assert page.locator("section.rule#CH-03 details details").first.is_visible()
        page.evaluate("window.scrollTo(0, 0)")
        shot = artifacts / "conformance-report.png"
        page.screenshot(path=str(shot), full_page=False)  # header, totals and the overview of every rule
        page.pdf(path=str(artifacts / "conformance-report.pdf"))
        browser.close()
    assert shot.stat().st_size > 10_000
    if UPDATE_DOCS:
        (DOCS / "screenshots").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS / "screenshots" / "conformance-report.png")
