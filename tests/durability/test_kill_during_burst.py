"""No acknowledged message is lost: a burst of concurrent AddMessage calls, the server's
whole process group SIGKILLed in the middle, a restart on the same database, and every
businessObjectId that was answered resultCode OK is in the citizen's inbox.

An OK answer is the inbox's promise to the care system (LK-04: a care system retries only
what was not acknowledged), so it may be sent only after the commit."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from simulator.population.personnummer import with_check_digit
from tests.inbox.wire import add_message, response_payload
from tests.support import SimulatorProcess

CITIZEN = with_check_digit("19800808420")
SENDERS = 8
PER_SENDER = 150  # upper bound; the kill comes long before
KILL_AFTER_ACKS = 60
DEADLINE_SECONDS = 120


class Burst:
    """Concurrent senders; each message has its own businessObjectId."""

    def __init__(self, url: str):
        self.url = url
        self.acked: set[str] = set()
        self.other_answers: list[str] = []
        self.failed = 0
        self.lock = threading.Lock()
        self.enough = threading.Event()

    def sender(self, index: int) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        for number in range(PER_SENDER):
            if time.monotonic() > deadline:
                return
            bo_id = f"DUR-{index}-{number}"
            try:
                answer = add_message(self.url, CITIZEN, business_object_id=bo_id)
            except requests.RequestException:
                with self.lock:
                    self.failed += 1
                return  # the server is gone: a real care system would queue and retry
            code = response_payload(answer).findtext("{*}resultCode") if answer.status_code == 200 else None
            with self.lock:
                if code == "OK":
                    self.acked.add(bo_id)
                    if len(self.acked) >= KILL_AFTER_ACKS:
                        self.enough.set()
                else:
                    self.other_answers.append(f"{bo_id}: HTTP {answer.status_code} {answer.text[:200]}")

    def run_and_kill(self, server: SimulatorProcess) -> None:
        threads = [threading.Thread(target=self.sender, args=(i,), daemon=True) for i in range(SENDERS)]
        for thread in threads:
            thread.start()
        assert self.enough.wait(DEADLINE_SECONDS), f"only {len(self.acked)} acknowledged before the deadline"
        server.kill()
        for thread in threads:
            thread.join(60)


def stored_business_object_ids(url: str) -> list[str]:
    response = requests.get(f"{url}/api/citizens/{CITIZEN}/inbox", timeout=30)
    assert response.status_code == 200, response.text
    return [m["business_object_id"] for t in response.json()["threads"] for m in t["messages"]]


def kill_and_check(data_dir, database_url=None) -> None:
    server = SimulatorProcess(data_dir, database_url=database_url, seed=False, workers=2).start()
    try:
        created = requests.post(
            f"{server.url}/api/citizens",
            timeout=10,
            json={
                "personnummer": CITIZEN,
                "given_name": "Dag",
                "surname": "Durabel",
                "account": {"exists": True, "active": True, "sms_notification": True, "mobile": "+46701740605"},
            },
        )
        assert created.status_code == 201, created.text
        burst = Burst(server.url)
        burst.run_and_kill(server)
    finally:
        server.stop()
    assert not burst.other_answers, burst.other_answers[:5]
    assert burst.failed > 0, "the kill should have cut senders off mid-burst"
    assert len(burst.acked) < SENDERS * PER_SENDER, "the burst should not have finished before the kill"

    restarted = SimulatorProcess(data_dir, database_url=database_url, seed=False, workers=2).start()
    try:
        stored = stored_business_object_ids(restarted.url)
    finally:
        restarted.stop()
    lost = burst.acked - set(stored)
    assert not lost, f"{len(lost)} of {len(burst.acked)} acknowledged messages lost, e.g. {sorted(lost)[:5]}"
    assert len(stored) == len(set(stored)), "a message was stored twice"
    print(
        f"\nacknowledged {len(burst.acked)}, stored {len(stored)} "
        f"(the rest were in flight at the kill), senders cut off: {burst.failed}"
    )


@pytest.mark.slow
def test_no_acknowledged_message_is_lost_on_sqlite(tmp_path):
    kill_and_check(tmp_path / "sim")


@pytest.mark.slow
@pytest.mark.postgres
def test_no_acknowledged_message_is_lost_on_postgresql(tmp_path, postgres_url):
    kill_and_check(tmp_path / "sim", database_url=postgres_url)
