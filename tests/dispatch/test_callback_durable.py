"""Citizen-action callbacks (Avboka in the 1177 inbox, MC-06) are durable work of the
dispatch worker: the care system's callback endpoint only records the event as a step of
the booking, and ``kallelse worker`` carries it out with the lease and retries of every
step. SIGKILL the worker before and in the middle of that work: after a restart the booking
is cancelled and the cancellation reaches the citizen's thread exactly once (MC-10)."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.dispatch.conftest import Dispatch
from tests.support import ROOT, SimulatorProcess, wait_for

pytestmark = pytest.mark.slow
ADULT = dt.date(1971, 3, 3)


def start_worker(server: SimulatorProcess) -> subprocess.Popen:
    """The embedded worker as ``kallelse serve`` would spawn it, but ours to kill."""
    log = open(server.data_dir / "worker.log", "ab")
    args = [sys.executable, "-m", "simulator.cli", "worker", "--simulator-url", server.url]
    args += ["--data-dir", str(server.data_dir)]
    return subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def kill(worker: subprocess.Popen) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)


def step(dispatch: Dispatch, booking_id: str, key_prefix: str) -> dict | None:
    return next((s for s in dispatch.get(booking_id)["steps"] if s["key"].startswith(key_prefix)), None)


def test_a_citizen_cancel_survives_killed_workers(tmp_path):
    server = SimulatorProcess(tmp_path / "sim", env={"KALLELSE_DISPATCH_WORKERS": "0"}).start()
    worker = start_worker(server)
    try:
        dispatch = Dispatch(server.url)
        dispatch.http.post(f"{server.url}/api/clock", json={"freeze": True})
        pnr = dispatch.citizen(ADULT, optout=True)
        booking = dispatch.booking(pnr)
        booking_id = booking["booking_id"]
        dispatch.settle(booking_id)
        [kallelse] = dispatch.messages(booking)
        kill(worker)  # 1. no worker at all when the citizen presses Avboka

        browser = dispatch.citizen_session(pnr)
        page = browser.get(f"{server.url}/inkorg/arende/{kallelse['message_id']}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        pressed = browser.post(
            f"{server.url}/inkorg/arende/{kallelse['message_id']}/bokning/cancel", data={"csrf_token": token}
        )
        assert pressed.ok
        [action] = dispatch.http.get(f"{server.url}/api/citizen-actions", params={"personnummer": pnr}).json()
        wait_for(
            lambda: (
                dispatch.http.get(f"{server.url}/api/citizen-actions", params={"personnummer": pnr}).json()[0][
                    "callback_status"
                ]
                == "delivered"
            ),
            20,
            "the care system to take the callback",
        )
        recorded = step(dispatch, booking_id, "citizen:")
        assert recorded is not None and recorded["state"] == "todo" and recorded["key"].endswith(action["event_id"])
        assert dispatch.get(booking_id)["cancelled"] is False  # recorded, not yet carried out

        # 2. the cancellation's AddMessage hangs in the platform; the worker dies mid-send
        answer = dispatch.http.post(
            f"{server.url}/api/behaviours",
            json={
                "match": {"contract": "AddMessage", "personnummer": pnr},
                "action": {"type": "delay", "ms": 6000},
                "times": 1,
            },
        )
        assert answer.status_code in (200, 201), answer.text
        worker = start_worker(server)
        wait_for(lambda: dispatch.get(booking_id)["cancelled"], 30, "the restarted worker to apply the Avboka")
        wait_for(
            lambda: (step(dispatch, booking_id, "addmessage:cancel") or {}).get("state") == "sending",
            30,
            "the cancellation to be in flight",
        )
        kill(worker)
        wait_for(lambda: len(dispatch.messages(booking)) == 2, 20, "the delayed AddMessage to land")

        # 3. restarted again: the in-flight cancellation is verified, not sent twice
        worker = start_worker(server)
        view = dispatch.settle(booking_id, timeout=60)
        assert step(dispatch, booking_id, "citizen:")["state"] == "done"
        assert step(dispatch, booking_id, "addmessage:cancel")["state"] == "done"
        thread = dispatch.messages(booking)
        assert len(thread) == 2 and thread[1]["booking"]["cancelled"] is True  # exactly once (MC-10)
        assert view["status"] == "cancelled"
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(15)
        server.stop()
