"""The command line without a vendor: the catalog listing and the errors a user gets for
wrong options (named, exit code 2 for usage, 1 when nothing can start)."""

from __future__ import annotations

from click.testing import CliRunner

from conformance.catalog import RULES
from conformance.cli import conformance
from simulator.cli import main


def test_list_prints_every_rule_with_source_and_observation():
    result = CliRunner().invoke(main, ["conformance", "list"])
    assert result.exit_code == 0
    for rule in RULES.values():
        assert f"{rule.id}  {rule.title}" in result.output
    assert "source: 001   (timeline)" in result.output  # FB-01 moves the clock
    assert "observes: Traffic" in result.output


def test_unknown_rule_is_named(tmp_path):
    result = CliRunner().invoke(
        conformance,
        [
            "run",
            "--profile",
            "rjl",
            "--adapter",
            "http://127.0.0.1:9",
            "--rules",
            "CH-03,ZZ-01",
            "--report",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "ZZ-01" in result.output


def test_rules_and_all_exclude_each_other(tmp_path):
    result = CliRunner().invoke(
        conformance,
        [
            "run",
            "--profile",
            "vgr",
            "--adapter",
            "http://127.0.0.1:9",
            "--rules",
            "CH-03",
            "--all",
            "--report",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "either --rules or --all" in result.output


def test_an_adapter_or_manual_mode_is_required(tmp_path):
    result = CliRunner().invoke(conformance, ["run", "--profile", "rjl", "--report", str(tmp_path)])
    assert result.exit_code == 2 and "--adapter" in result.output


def test_unreachable_services_stop_the_run_with_a_reason(tmp_path):
    result = CliRunner().invoke(
        conformance,
        [
            "run",
            "--profile",
            "rjl",
            "--adapter",
            "http://127.0.0.1:9",
            "--simulator",
            "http://127.0.0.1:9",
            "--report",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1 and "cannot start" in result.output and "/api/health" in result.output
    assert not (tmp_path / "report.json").exists()


def test_check_traffic_names_a_bad_window(tmp_path):
    result = CliRunner().invoke(
        conformance, ["check-traffic", "--since", "yesterday", "--consumer", "SE1", "--report", str(tmp_path)]
    )
    assert result.exit_code == 2 and "--since" in result.output
