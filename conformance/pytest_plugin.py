"""pytest plugin for a vendor's CI: one test per rule, run against the vendor's adapter.

    pytest -p conformance.pytest_plugin --kallelse-adapter http://vendor:9000 \\
        --kallelse-simulator http://simulator:8080 --kallelse-profile rjl [--kallelse-rules CH-03,FB-01] \\
        [--kallelse-report reports/]

The suite runs once (the scenarios share one timeline); each rule is then reported as
its own test: passed, failed (expected vs seen), skipped (not applicable) or error."""

from __future__ import annotations

import os

import pytest

_OUTCOME: dict = {}


def pytest_addoption(parser) -> None:
    group = parser.getgroup("kallelse", "Kallelse Testbed conformance")
    group.addoption("--kallelse-adapter", default=None, help="Vendor adapter base URL: run the conformance suite.")
    group.addoption("--kallelse-simulator", default="http://127.0.0.1:8080", help="Simulator base URL.")
    group.addoption("--kallelse-profile", default="rjl", choices=("rjl", "vgr"), help="Regional rule profile.")
    group.addoption("--kallelse-rules", default=None, help="Comma-separated rule IDs (default: all).")
    group.addoption("--kallelse-report", default=None, help="Also write junit.xml/report.json/index.html here.")


class RuleFailed(Exception):
    pass


class ConformanceSuite(pytest.Collector):
    def collect(self):
        from conformance import catalog

        for rule_id in catalog.select(self.config.getoption("kallelse_rules")):
            yield RuleItem.from_parent(self, name=rule_id)


class RuleItem(pytest.Item):
    def runtest(self) -> None:
        verdict = _verdicts(self.config).get(self.name)
        if verdict is None:
            raise RuleFailed(f"{self.name}: no verdict (the run did not reach it)")
        if verdict.status == "not_applicable":
            pytest.skip(f"{self.name} not applicable: {verdict.summary}")
        if verdict.status != "pass":
            raise RuleFailed(verdict)

    def repr_failure(self, excinfo):
        verdict = excinfo.value.args[0] if excinfo.errisinstance(RuleFailed) else None
        if verdict is None or isinstance(verdict, str):
            return super().repr_failure(excinfo)
        lines = [f"{verdict.rule_id} {verdict.title} ({verdict.source}): {verdict.status}", verdict.summary]
        lines += [f"  expected: {f.expected}\n  seen:     {f.seen}" for f in verdict.failed_findings]
        return "\n".join(lines)

    def reportinfo(self):
        return "kallelse-conformance", None, f"{self.name}"


def pytest_collection_modifyitems(session, config, items) -> None:
    if not config.getoption("kallelse_adapter"):
        return
    suite = ConformanceSuite.from_parent(session, name="kallelse-conformance")
    items.extend(suite.collect())


def _verdicts(config) -> dict:
    if "verdicts" not in _OUTCOME:
        from pathlib import Path

        from conformance.adapter import HttpAdapter
        from conformance.catalog import select
        from conformance.profiles import PROFILES
        from conformance.rest import TOKEN_ENV
        from conformance.runner import Runner
        from conformance.scenario import Run
        from conformance.simulator_api import SimulatorApi

        adapter = HttpAdapter(config.getoption("kallelse_adapter"))
        profile = config.getoption("kallelse_profile")
        run = Run(
            SimulatorApi(config.getoption("kallelse_simulator"), os.environ.get(TOKEN_ENV)),
            adapter,
            PROFILES[profile],
            adapter.info().consumer_hsa_id,
        )
        outcome = Runner(run, select(config.getoption("kallelse_rules"))).execute()
        _OUTCOME["verdicts"] = {v.rule_id: v for v in outcome.verdicts}
        report = config.getoption("kallelse_report")
        if report:
            from conformance.cli import _certificate
            from conformance.report import write

            certificate = _certificate(
                adapter.info(),
                None,
                None,
                profile,
                outcome.started,
                config.getoption("kallelse_simulator"),
                adapter.base_url,
                "automated (pytest)",
            )
            write(Path(report), certificate, outcome.verdicts, outcome.seconds)
    return _OUTCOME["verdicts"]
