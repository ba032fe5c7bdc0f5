"""Scale-out and crash safety: 1,000 bookings on PostgreSQL worked by 4 ``kallelse worker``
processes (procrastinate); one worker is SIGKILLed in the middle of the batch and a new one
started. Afterwards every booking has exactly one decision and exactly the outputs its
decision demands: one 1177 message per digital kallelse, one letter per paper kallelse,
never a duplicate in the inbox or the paper outbox."""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.dispatch.conftest import FACILITY
from tests.support import ROOT, SimulatorProcess, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BOOKINGS = 1000
WORKERS = 4


def start_worker(database_url: str, simulator_url: str, log_path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "worker",
            "--database-url",
            database_url,
            "--simulator-url",
            simulator_url,
        ],
        cwd=ROOT,
        stdout=open(log_path, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def report(http, url) -> dict:
    return http.get(f"{url}/dispatch/api/report").json()


@pytest.mark.timeout(600)  # about 3 minutes on a quiet 2-core machine
def test_sigkill_a_worker_mid_batch_every_booking_exactly_once(postgres_url, tmp_path):
    server = SimulatorProcess(
        tmp_path / "sim", database_url=postgres_url, workers=4, env={"KALLELSE_DISPATCH_WORKERS": "0"}
    ).start()
    workers = []
    try:
        http = requests.Session()
        url = server.url
        http.post(f"{url}/api/clock", json={"freeze": True})
        citizens = http.get(f"{url}/api/citizens", params={"limit": 1000}).json()["items"]
        assert len(citizens) >= 50
        visit = (
            dt.datetime.fromisoformat(http.get(f"{url}/api/clock").json()["now"]) + dt.timedelta(days=14)
        ).isoformat()

        def create(index: int) -> int:
            citizen = citizens[index % len(citizens)]
            return requests.post(
                f"{url}/dispatch/api/bookings",
                json={
                    "booking_id": f"CR-{index:04d}",
                    "personnummer": citizen["personnummer"],
                    "visit_start": visit,
                    "visit_type": "Arbetsprov",
                    "facility": FACILITY,
                    "profile": "rjl" if index % 2 else "vgr",
                },
                timeout=30,
            ).status_code

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            assert set(pool.map(create, range(BOOKINGS))) == {201}
        print(f"created {BOOKINGS} bookings in {time.monotonic() - started:.0f} s")
        workers = [start_worker(postgres_url, url, tmp_path / f"worker-{n}.log") for n in range(WORKERS)]
        wait_for(
            lambda: report(http, url)["sent"] + report(http, url)["counts"].get("manual", 0) >= BOOKINGS // 4,
            240,
            "a quarter of the batch",
            interval=0.5,
        )
        os.killpg(workers[0].pid, signal.SIGKILL)  # mid-batch, mid-job
        workers[0].wait(10)
        workers.append(start_worker(postgres_url, url, tmp_path / "worker-restarted.log"))
        wait_for(
            lambda: report(http, url)["work_due"] == 0 and report(http, url)["bookings"] == BOOKINGS,
            400,
            "the whole batch",
            interval=0.5,
        )
        print(f"batch done {time.monotonic() - started:.0f} s after the first booking")
        check_exactly_once(http, url, citizens)
        print(f"checked {time.monotonic() - started:.0f} s after the first booking")
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        server.stop()


def check_exactly_once(http, url, citizens) -> None:
    """Receiver side (inbox, paper outbox) against the engine's one decision per booking."""
    messages, letters = collections.Counter(), collections.Counter()
    for citizen in citizens:
        pnr = citizen["personnummer"]
        for thread in http.get(f"{url}/api/citizens/{pnr}/inbox").json().get("threads", []):
            messages[thread["business_object_id"]] += len(thread["messages"])
        for letter in http.get(f"{url}/api/paper-letters", params={"personnummer": pnr}).json():
            letters[letter["business_object_id"]] += 1
    records = {o["booking_id"]: o for o in http.get(f"{url}/dispatch/adapter/outputs").json()}
    assert len(records) == BOOKINGS
    outcomes = collections.Counter()
    for booking_id, record in records.items():
        decisions = [d for d in record["decisions"] if d["key"].startswith("dispatch:")]
        assert len(decisions) == 1, (booking_id, record["decisions"])
        outcome = decisions[0]["outcome"]
        outcomes[outcome] += 1
        thread = record["business_object_id"]
        digital = [d for d in record["deliveries"] if d["channel"] == "digital"]
        paper = [d for d in record["deliveries"] if d["channel"] == "paper"]
        accepted = sum(1 for d in digital if d["result_code"] == "OK")
        assert len(digital) == int(outcome in ("digital_only", "digital_and_paper")), (booking_id, record)
        assert messages[thread] == accepted, (booking_id, outcome, messages[thread])
        # paper as decided, or instead of a message the inbox answered INFO/ERROR (LK-04)
        want_paper = int(outcome in ("paper_only", "digital_and_paper") or len(digital) > accepted)
        assert len(paper) == want_paper and letters[thread] == want_paper, (booking_id, outcome, letters[thread])
    assert len(outcomes) >= 3, outcomes  # the population exercises several channel outcomes
