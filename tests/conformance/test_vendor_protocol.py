"""The example vendor keeps the adapter protocol as the spec writes it: /health declares
what the suite needs, an unknown booking answers 404 as JSON naming the field, a booking
without a required field answers 400 naming it."""

from __future__ import annotations

import pytest
import requests
import yaml

from conformance.profiles import BUILT_IN
from tests.conformance.vendor.app import Vendor
from tests.conformance.vendor.system import read_profile
from tests.support import ROOT

SPEC = yaml.safe_load((ROOT / "conformance" / "adapter-openapi.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def adapter():
    vendor = Vendor("http://127.0.0.1:9").start()  # nothing here reaches the simulator
    yield vendor.install("protocol", read_profile(BUILT_IN / "rjl.toml"))
    vendor.stop()


def test_health_declares_every_field_the_spec_names(adapter):
    health = requests.get(f"{adapter}/health", timeout=10).json()
    declared = set(SPEC["components"]["schemas"]["Health"]["properties"])
    assert declared <= set(health), declared - set(health)
    assert health["source_systems"] == [health["consumer_hsa_id"]] and health["reports"] is True


@pytest.mark.parametrize(
    "method, path", [("GET", "/bookings/NOPE"), ("PUT", "/bookings/NOPE"), ("POST", "/bookings/NOPE/cancel")]
)
def test_an_unknown_booking_is_404_as_the_spec_says(adapter, method, path):
    answer = requests.request(method, adapter + path, json={}, timeout=10)
    assert "404" in SPEC["paths"][path.replace("NOPE", "{booking_id}")][method.lower()]["responses"]
    assert answer.status_code == 404 and answer.json() == {"error": "no booking 'NOPE'", "field": "booking_id"}


def test_a_booking_without_a_required_field_names_it(adapter):
    answer = requests.post(f"{adapter}/bookings", json={"booking_id": "B1"}, timeout=10)
    assert answer.status_code == 400 and answer.json()["field"] == "personnummer"
