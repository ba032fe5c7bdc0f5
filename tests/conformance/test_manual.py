"""--manual: the suite tells a tester each step and waits for Enter. Here the tester is
played by a function that does each step in the reference engine's booking API, as a
person would in a vendor's UI."""

from __future__ import annotations

import json
import re

import pytest
import requests

from conformance.adapter import AdapterInfo, HttpAdapter, ManualAdapter
from conformance.profiles import PROFILES
from conformance.runner import Runner
from conformance.scenario import Run
from conformance.simulator_api import SimulatorApi

pytestmark = pytest.mark.slow


class PersonAtTheUi:
    """Reads what the suite says, does it in the 'UI' when asked to press Enter."""

    def __init__(self, reference):
        self.reference = reference
        self.said: list[str] = []
        self.api = f"{reference.url}/dispatch/api"

    def say(self, text: str) -> None:
        self.said.append(text)

    def ask(self, prompt: str) -> str:
        last = self.said[-1] if self.said else ""
        if "Create this booking" in last:
            booking = json.loads(last[last.index("{") :])
            assert requests.post(f"{self.api}/bookings", json=booking, timeout=30).status_code == 201
        elif match := re.search(r"Change booking (\S+) in your system", last):
            changes = json.loads(last[last.index("{") :])
            assert requests.put(f"{self.api}/bookings/{match.group(1)}", json=changes, timeout=30).ok
        elif match := re.search(r"Cancel booking (\S+) in your system", last):
            assert requests.post(f"{self.api}/bookings/{match.group(1)}/cancel", timeout=30).ok
        elif "everything that is due" in last:
            self.wait_idle()
        self.said.append(f"(Enter after: {prompt})")
        return ""

    def wait_idle(self) -> None:
        HttpAdapter(self.reference.adapter_url).settle(30)


def test_manual_mode_drives_a_person_through_each_step(reference):
    reference.reset()
    tester = PersonAtTheUi(reference)
    adapter = ManualAdapter(AdapterInfo(vendor="Manual AB", sms="none"), ask=tester.ask, say=tester.say)
    run = Run(SimulatorApi(reference.url), adapter, PROFILES["rjl"], consumer="", wait_seconds=10)
    outcome = Runner(run, ["CH-02", "MC-10"]).execute()
    statuses = {v.rule_id: v.status for v in outcome.verdicts}
    assert statuses == {"CH-02": "pass", "MC-10": "pass"}, [v.summary for v in outcome.verdicts]
    steps = "\n".join(tester.said)
    assert steps.count("Create this booking") == 2 and "Change booking" in steps and "Cancel booking" in steps
