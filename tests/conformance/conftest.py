"""Fixtures for running the suite against the reference dispatch core: a real
``kallelse serve`` (with its dispatch worker) and the vendor adapter in front of it -
the dispatch core's own /dispatch/adapter when it serves one, else the bridge in
tests/conformance/bridge.py over its REST API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from tests.conformance.bridge import Bridge
from tests.support import ROOT, SimulatorProcess

ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS = ROOT / "docs"
UPDATE_DOCS = os.environ.get("KALLELSE_UPDATE_DOCS") == "1"


class Reference:
    """One simulator with the reference engine and an adapter URL for it. ``bridge``: use
    the example adapter of bridge.py (as a vendor with a booking REST API would), which
    also takes the clock (POST /clock) and reports the paper letters itself (GET /sent/paper)."""

    def __init__(self, data_dir: Path, bridge: bool = False):
        self.server = SimulatorProcess(data_dir)
        self.use_bridge = bridge
        self.bridge: Bridge | None = None

    def start(self) -> Reference:
        self.server.start()
        own = f"{self.server.url}/dispatch/adapter"
        try:  # the engine's own adapter, once it reports the SMS it sent (RM-01, MC-12)
            served = (
                requests.get(f"{own}/sent/sms", params={"personnummer": "191212121212"}, timeout=5).status_code == 200
            )
        except requests.RequestException:
            served = False
        if served and not self.use_bridge:
            self.adapter_url = own
        else:
            self.bridge = Bridge(self.server.url, own_outputs=self.use_bridge).start()
            self.adapter_url = self.bridge.url
        return self

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        """A clean slate (bookings, traffic, behaviours, inbox)."""
        assert requests.post(f"{self.url}/api/reset", json={}, timeout=30).ok

    def stop(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()
        self.server.stop()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    ref = Reference(tmp_path_factory.mktemp("conformance")).start()
    yield ref
    ref.stop()


@pytest.fixture(scope="module")
def bridged(tmp_path_factory):
    ref = Reference(tmp_path_factory.mktemp("bridged"), bridge=True).start()
    yield ref
    ref.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def example_vendor(reference):
    """The independent example vendor (tests/conformance/vendor/) beside the reference
    engine on the same simulator; ``install(name, profile, switches)`` gives an adapter URL."""
    from tests.conformance.vendor.app import Vendor

    vendor = Vendor(reference.url).start()
    yield vendor
    vendor.stop()
