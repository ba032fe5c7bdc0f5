"""The mutant matrix: the reference engine and each deliberately broken variant of it
(one ``mutations`` switch of the dispatch core each) run through the whole suite. The
reference fails nothing; every variant fails exactly the rules it breaks and no other.
The table printed in docs/conformance.md is generated here (KALLELSE_UPDATE_DOCS=1
rewrites it; otherwise the test checks that the docs still say what the run shows)."""

from __future__ import annotations

import os
import queue
import re
import threading

import pytest

from conformance import catalog
from conformance.adapter import HttpAdapter
from conformance.profiles import PROFILES
from conformance.runner import Runner
from conformance.scenario import Run
from conformance.simulator_api import SimulatorApi
from tests.conformance.conftest import DOCS, REFERENCE_VERDICTS, UPDATE_DOCS, Reference

pytestmark = pytest.mark.slow

# variant -> the rules it must fail, and why a rule beyond the one it bends is broken too
EXPECTED = {
    "": set(),
    "ignore_minors": {"CH-03"},
    "ignore_interpreter": {"CH-04"},
    "ignore_optout": {"CH-01"},
    "no_fallback": {"FB-01"},
    "reminder_after_cancel": {"RM-01"},
    # the cancellation in a new thread breaks both the reuse (MC-09) and the same-thread rule (MC-10)
    "new_business_object_id_on_cancel": {"MC-09", "MC-10"},
    "notify_without_source_system": {"MC-03"},
    "docbook_outside_subset": {"MC-02"},
    # without the lookup an active account without notifications looks reachable: digital only, no paper
    # (CH-07); no account / an inactive account are still saved by 1177's INFO answer (LK-04)
    "skip_userprofile_lookup": {"LK-02", "CH-07"},
    "protected_address_on_letter": {"CH-10"},
    "no_directions_link": {"MC-08"},
    "sms_with_visit_details": {"MC-12"},
}
SERVERS = int(os.environ.get("KALLELSE_CONFORMANCE_SERVERS", "3"))
SYMBOLS = {"pass": "✓", "fail": "✗", "not_applicable": "–", "error": "!"}
BEGIN, END = "<!-- mutant-matrix:begin -->", "<!-- mutant-matrix:end -->"


def run_variant(reference: Reference, mutation: str) -> dict[str, str]:
    reference.reset([mutation] if mutation else [])
    adapter = HttpAdapter(reference.adapter_url)
    run = Run(SimulatorApi(reference.url), adapter, PROFILES["rjl"], adapter.info().consumer_hsa_id)
    run.wait_seconds = 8  # the engine reports idle, so a wait only covers what never comes
    outcome = Runner(run, catalog.select(None)).execute()
    return {v.rule_id: v.status for v in outcome.verdicts}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Every variant's verdicts; the variants are shared out over a few simulators that
    run side by side (the clock is global per simulator, so one run at a time on each)."""
    work: queue.Queue = queue.Queue()
    results: dict[str, dict[str, str]] = {}
    if "rjl" in REFERENCE_VERDICTS:
        results[""] = REFERENCE_VERDICTS["rjl"]
    for mutation in EXPECTED:
        if mutation not in results:
            work.put(mutation)
    failures: list[str] = []

    def serve(index: int) -> None:
        reference = Reference(tmp_path_factory.mktemp(f"mutants{index}")).start()
        try:
            while True:
                try:
                    mutation = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[mutation] = run_variant(reference, mutation)
                except Exception as exc:
                    failures.append(f"{mutation or 'reference'}: {exc!r}")
        finally:
            reference.stop()

    threads = [threading.Thread(target=serve, args=(i,)) for i in range(SERVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return results


def table(results: dict[str, dict[str, str]]) -> str:
    rules = list(catalog.RULES)
    lines = ["| variant | " + " | ".join(rules) + " |", "|---|" + "---|" * len(rules)]
    for mutation in EXPECTED:
        verdicts = results[mutation]
        name = f"`{mutation}`" if mutation else "reference"
        lines.append(f"| {name} | " + " | ".join(SYMBOLS[verdicts[r]] for r in rules) + " |")
    return "\n".join(lines)


def test_each_variant_fails_exactly_the_rules_it_breaks(matrix, artifacts):
    (artifacts / "mutant-matrix.md").write_text(table(matrix) + "\n", "utf-8")
    wrong = {}
    for mutation, expected in EXPECTED.items():
        failed = {rule for rule, status in matrix[mutation].items() if status in ("fail", "error")}
        if failed != expected:
            wrong[mutation or "reference"] = {"expected": sorted(expected), "failed": sorted(failed)}
    assert not wrong, wrong


def test_docs_print_the_matrix_of_this_run(matrix):
    docs = DOCS / "conformance.md"
    text = docs.read_text("utf-8")
    block = f"{BEGIN}\n{table(matrix)}\n{END}"
    if UPDATE_DOCS:
        docs.write_text(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S), "utf-8")
        return
    assert block in text, "docs/conformance.md's mutant matrix differs from this run; rerun with KALLELSE_UPDATE_DOCS=1"
