"""A representative slice of the defect/variant matrix for the fast suite: a few switches
of the example vendor against the rules they touch (the whole matrix is the slow
test_vendor_matrix.py)."""

from __future__ import annotations

import pytest

from conformance.profiles import BUILT_IN, PROFILES
from tests.conformance.vendor.app import Vendor
from tests.conformance.vendor.matrix import failures, run_many
from tests.conformance.vendor.switches import DEFECTS, VARIANTS
from tests.conformance.vendor.system import read_profile
from tests.support import SimulatorProcess

RULES = ["CH-01", "CH-09", "MC-05", "MC-06"]
SWITCHES = ["ignore_optout", "short_notice_inclusive", "no_contact", "booking_date_utc_unzoned"]
SWITCHES += ["contact_in_facility", "booking_date_utc_zoned", "date_with_weekday"]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    server = SimulatorProcess(tmp_path_factory.mktemp("vendor-subset"), env={"KALLELSE_DISPATCH_WORKERS": "0"})
    server.start()
    vendor = Vendor(server.url).start()
    profile = read_profile(BUILT_IN / "rjl.toml")
    adapters = {name: vendor.install(name, profile, {name}) for name in SWITCHES}
    adapters["correct"] = vendor.install("correct", profile)
    try:
        yield run_many(server.url, adapters, dict.fromkeys(adapters, PROFILES["rjl"]), RULES)
    finally:
        vendor.stop()
        server.stop()


def test_correct_and_variants_pass_defects_fail_their_rule(verdicts):
    assert failures("correct", verdicts["correct"]) == set()
    for name in SWITCHES:
        failed = failures(name, verdicts[name])
        if name in VARIANTS:
            assert failed == set(), (name, failed)
        else:
            assert failed == {DEFECTS[name].rule}, (name, failed)
