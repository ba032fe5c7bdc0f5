"""The defect/variant matrix: the whole catalog against the independent example vendor
(tests/conformance/vendor/) with each switch, all on one simulator side by side. Every
defect fails the rule it breaks, and any other failed rule is declared with the reason
(switches.py); every legitimate variant passes; every rule has a defect only it catches.
A vendor configured for one region fails another region's profile exactly where the
parameters differ, and passes its own. The table in docs/conformance.md is this run's
(KALLELSE_UPDATE_DOCS=1 rewrites it; otherwise the test checks the docs still match)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import catalog
from conformance.profiles import BUILT_IN, PROFILES, load
from tests.conformance.conftest import ARTIFACTS, DOCS, UPDATE_DOCS
from tests.conformance.vendor.app import Vendor
from tests.conformance.vendor.matrix import failures, run_many
from tests.conformance.vendor.switches import DEFECTS, VARIANTS
from tests.conformance.vendor.system import read_profile
from tests.support import SimulatorProcess

# 99 installations in one run: longer than the suite's 300 s default per test (setup included).
pytestmark = [pytest.mark.slow, pytest.mark.matrix, pytest.mark.timeout(1800)]
CUSTOM = Path(__file__).parent / "vendor" / "xyz.toml"
# which rule a profile parameter changes the verdict of; the others are not observable from
# outside: RM-02's thread reminder is a "may", and retries are judged as "later", not when
PARAMETER_RULES = {
    "fallback_days": "FB-01",
    "reminder_days_before": "RM-01",
    "reminder_local_time": "RM-01",
    "short_notice_days": "CH-09",
    "minor_age": "CH-03",
    "postage_sek": "RP-01",
    "envelope_print_sek": "RP-01",
    "handling_minutes": "RP-01",
    "staff_cost_sek_per_minute": "RP-01",
}
REGIONS = {
    "region:xyz-on-xyz": ("xyz", "xyz"),
    "region:xyz-on-rjl": ("xyz", "rjl"),
    "region:rjl-on-xyz": ("rjl", "xyz"),
}
SYMBOLS = {"pass": "✓", "fail": "✗", "not_applicable": "–", "error": "!"}
BEGIN, END = "<!-- vendor-matrix:begin -->", "<!-- vendor-matrix:end -->"
ERRORS: dict[tuple[str, str], str] = {}  # (installation, scenario): why it errored, for the failure messages


def why(names) -> dict[str, str]:
    return {f"{n}/{scenario}": text for (n, scenario), text in ERRORS.items() if n in names}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> Iterator[dict[str, dict[str, str]]]:
    server = SimulatorProcess(
        tmp_path_factory.mktemp("vendor-matrix"), workers=3, env={"KALLELSE_DISPATCH_WORKERS": "0"}
    ).start()
    vendor = Vendor(server.url).start()
    files = {"rjl": BUILT_IN / "rjl.toml", "xyz": CUSTOM}
    expectations = {"rjl": PROFILES["rjl"], "xyz": load(CUSTOM)}
    adapters, judged_on = {}, {}
    for name in ["correct", *DEFECTS, *VARIANTS]:
        adapters[name] = vendor.install(name, read_profile(files["rjl"]), set() if name == "correct" else {name})
        judged_on[name] = expectations["rjl"]
    for name, (configured, judged) in REGIONS.items():
        adapters[name] = vendor.install(name, read_profile(files[configured]))
        judged_on[name] = expectations[judged]
    try:
        yield run_many(server.url, adapters, judged_on, catalog.select(None), errors=ERRORS)
    finally:
        vendor.stop()
        server.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(server.log_path, ARTIFACTS / "vendor-matrix-server.log")


def test_the_correct_vendor_passes_every_rule(matrix):
    assert failures("correct", matrix["correct"]) == set(), why(["correct"])
    assert set(matrix["correct"]) == set(catalog.RULES)


def test_every_defect_fails_its_rule_and_only_declared_others(matrix):
    wrong = {}
    for name, defect in DEFECTS.items():
        failed = failures(name, matrix[name])
        allowed = {defect.rule} | {rule for rule, _ in defect.also}
        if defect.rule not in failed or not failed <= allowed:
            wrong[name] = {"breaks": defect.rule, "failed": sorted(failed), "declared": sorted(allowed)}
    assert not wrong, (wrong, why(wrong))


def test_every_variant_passes(matrix):
    wrong = {name: sorted(failures(name, matrix[name])) for name in VARIANTS if failures(name, matrix[name])}
    assert not wrong, (wrong, why(wrong))


def test_every_rule_has_a_defect_only_it_catches(matrix):
    alone = {DEFECTS[n].rule for n in DEFECTS if failures(n, matrix[n]) == {DEFECTS[n].rule}}
    assert set(catalog.RULES) - alone == set()
    assert len(DEFECTS) >= 60 and len(VARIANTS) >= 10


def test_a_vendor_fails_another_regions_profile_where_the_parameters_differ(matrix):
    differ = PROFILES["rjl"].differs_from(load(CUSTOM))
    expected = {PARAMETER_RULES[p] for p in differ if p in PARAMETER_RULES}
    assert expected == {"FB-01", "RM-01", "CH-09", "CH-03", "RP-01"}
    assert failures("", matrix["region:xyz-on-xyz"]) == set()
    assert failures("", matrix["region:xyz-on-rjl"]) == expected
    assert failures("", matrix["region:rjl-on-xyz"]) == expected


def table(results: dict[str, dict[str, str]]) -> str:
    rules = list(catalog.RULES)
    lines = ["| switch | kind | breaks | " + " | ".join(rules) + " |", "|---|---|---|" + "---|" * len(rules)]
    rows = [("correct", "reference", "")]
    rows += [(n, "defect", d.rule) for n, d in DEFECTS.items()]
    rows += [(n, "variant", "") for n in VARIANTS]
    rows += [(n, "region", f"{c} judged as {j}") for n, (c, j) in REGIONS.items()]
    for name, kind, breaks in rows:
        cells = " | ".join(SYMBOLS[results[name].get(r, "error")] for r in rules)
        lines.append(f"| `{name}` | {kind} | {breaks} | {cells} |")
    return "\n".join(lines)


def test_docs_print_the_matrix_of_this_run(matrix, artifacts):
    (artifacts / "vendor-matrix.md").write_text(table(matrix) + "\n", "utf-8")
    (artifacts / "vendor-matrix-errors.txt").write_text("".join(f"{k}: {v}\n" for k, v in why(matrix).items()), "utf-8")
    docs = DOCS / "conformance.md"
    text = docs.read_text("utf-8")
    block = f"{BEGIN}\n{table(matrix)}\n{END}"
    if UPDATE_DOCS:
        docs.write_text(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S), "utf-8")
        return
    assert block in text, "docs/conformance.md's vendor matrix differs from this run; rerun with KALLELSE_UPDATE_DOCS=1"
