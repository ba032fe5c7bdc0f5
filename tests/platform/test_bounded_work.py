"""Bounded work per request (issue 13, item 6) on a real ``kallelse serve``: listing and
exporting large traffic keeps a worker's memory flat (bodies cut per row and flagged, the
export streamed a few rows at a time), and behaviour delays hold at most their share of
the workers, so the health check stays fast while delayed calls wait."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import psutil
import pytest
import requests

from simulator.platform.trafficstore import LISTED_BODY_MAX, Exchange, TrafficStore
from tests.inbox import wire
from tests.platform.support import add_message, behaviour, fault, new_person, result_code
from tests.support import SimulatorProcess

BIG = 1_000_000  # what the recorder stores at most per body
ROWS = 120


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = SimulatorProcess(tmp_path_factory.mktemp("bounded"), workers=2).start()
    yield server
    server.stop()


def worker_rss_mb(server) -> float:
    workers = psutil.Process(server.process.pid).children(recursive=True)
    return sum(p.memory_info().rss for p in workers) / 2**20


def test_large_traffic_is_listed_and_exported_with_bounded_memory(server):
    store = TrafficStore(wire.server_database(server))
    now = dt.datetime.now(dt.UTC)
    for i in range(ROWS):
        body = f"<big n='{i}'>" + "x" * BIG
        store.record(Exchange(now, now, "AddMessage", 200, "ok", "valid", 1.0, consumer="BIG", request_body=body))
    before = worker_rss_mb(server)

    listed = requests.get(
        f"{server.url}/api/traffic", params={"consumer": "BIG", "bodies": "true", "limit": 500}, timeout=120
    ).json()["items"]
    assert len(listed) == ROWS
    assert all(len(r["request_body"]) == LISTED_BODY_MAX and r["request_body_cut"] for r in listed)
    assert not any(r["response_body_cut"] for r in listed)

    rows = 0
    with requests.get(
        f"{server.url}/api/traffic/export", params={"consumer": "BIG"}, stream=True, timeout=120
    ) as answer:
        assert answer.headers.get("Transfer-Encoding") == "chunked"  # streamed, not built first
        for line in answer.iter_lines():
            record = json.loads(line)
            assert len(record["request_body"]) == LISTED_BODY_MAX and record["request_body_cut"]
            rows += 1
    assert rows == ROWS
    # the full body is still there, one record at a time
    full = requests.get(f"{server.url}/api/traffic/{listed[0]['id']}", timeout=60).json()
    assert len(full["request_body"]) > BIG
    # before: every row's megabyte bodies in memory at once (1 GB for 500 rows)
    assert worker_rss_mb(server) - before < 150, (before, worker_rss_mb(server))


def test_delays_hold_at_most_their_share_of_the_workers(server):
    pnr = new_person(server)
    behaviour(server.url, {"match": {"personnummer": pnr}, "action": {"type": "delay", "ms": 6000}, "times": 3})
    answers: list = []

    def call():
        answers.append(add_message(server.url, pnr))

    callers = [threading.Thread(target=call) for _ in range(3)]
    for caller in callers:
        caller.start()
        time.sleep(0.3)
    started = time.monotonic()
    assert requests.get(f"{server.url}/api/health", timeout=30).status_code == 200
    assert time.monotonic() - started < 3  # one of two workers sleeps, the other answers
    for caller in callers:
        caller.join(30)
    refused = [a for a in answers if a.status_code == 500]
    assert len(answers) == 3 and len(refused) == 2, [a.status_code for a in answers]
    for answer in refused:
        code, text = fault(answer)
        assert code == "soap:Server" and "delay refused, all 1 delay slot(s) are busy" in text
    [slept] = [a for a in answers if a.status_code == 200]
    assert result_code(slept) == "OK"
    # the slot is free again: the next delayed call sleeps
    behaviour(server.url, {"match": {"personnummer": pnr}, "action": {"type": "delay", "ms": 500}, "times": 1})
    began = time.monotonic()
    assert result_code(add_message(server.url, pnr)) == "OK" and time.monotonic() - began >= 0.5
