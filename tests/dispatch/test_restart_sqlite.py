"""The embedded default (SQLite, one worker spawned by ``kallelse serve``): the whole server
is SIGKILLed in the middle of a batch and started again on the same data folder. Work and
timers survive: every booking ends with one decision and exactly its outputs, and the
fallback timers of the digital-only ones fire after the restart when the clock is moved."""

from __future__ import annotations

import collections

import pytest
import requests

from tests.dispatch.conftest import FACILITY, Dispatch
from tests.support import SimulatorProcess, wait_for


def report(server) -> dict:
    return requests.get(f"{server.url}/dispatch/api/report", timeout=30).json()


pytestmark = pytest.mark.slow
BOOKINGS = 60


def test_kill_the_server_mid_batch_and_restart(tmp_path):
    server = SimulatorProcess(tmp_path / "sim").start()
    try:
        dispatch = Dispatch(server.url)
        dispatch.http.post(f"{server.url}/api/clock", json={"freeze": True})
        citizens = dispatch.http.get(f"{server.url}/api/citizens", params={"limit": 40}).json()["items"]
        for index in range(BOOKINGS):
            dispatch.booking(
                citizens[index % len(citizens)]["personnummer"], booking_id=f"RS-{index:03d}", facility=FACILITY
            )
        wait_for(lambda: report(server)["sent"] >= BOOKINGS // 4, 60, "a quarter of the bookings sent", 0.1)
        server.kill()  # master, web workers and the dispatch worker at once
        server.start()  # same data folder, same port
        wait_for(lambda: not report(server)["work_due"], 120, "the restarted worker to finish the batch", 0.3)
        outputs = {o["booking_id"]: o for o in requests.get(f"{server.url}/dispatch/adapter/outputs").json()}
        assert len(outputs) == BOOKINGS
        digital_only = [b for b, o in outputs.items() if o["decisions"][0]["outcome"] == "digital_only"]
        for record in outputs.values():
            assert len([d for d in record["decisions"] if d["key"] == "dispatch:1"]) == 1
        assert digital_only, "the seeded population has digital-only citizens"
        letters_before = paper_count(server.url, citizens)
        dispatch.advance("P3D")
        wait_for(lambda: not report(server)["work_due"], 120, "the fallback work to finish", 0.3)
        letters_after = paper_count(server.url, citizens)
        for booking_id in digital_only:
            thread = outputs[booking_id]["business_object_id"]
            assert letters_after[thread] - letters_before[thread] == 1, booking_id  # FB-01 after restart
        assert max(letters_after.values()) == 1  # never a second letter for one kallelse
    finally:
        server.stop()


def paper_count(url: str, citizens: list[dict]) -> collections.Counter:
    counts = collections.Counter()
    for citizen in citizens:
        for letter in requests.get(f"{url}/api/paper-letters", params={"personnummer": citizen["personnummer"]}).json():
            counts[letter["business_object_id"]] += 1
    return counts
