"""``kallelse demo`` as a trainer starts it: the seeded population, kallelser in
different states sent over real AddMessage, letters in the paper outbox, and a start
page from which the clock buttons move the story on."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from tests.support import ROOT, free_port, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("demo") / "demo.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulator.cli",
                "demo",
                "--port",
                str(port),
                "--data-dir",
                str(log.parent / "data"),
                "--workers",
                "2",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: process.poll() is not None or "demo: klart" in log.read_text(errors="replace"), 90, "the demo")
        assert process.poll() is None, log.read_text(errors="replace")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)


def get(base, path, **params):
    answer = requests.get(f"{base}{path}", params=params, timeout=10)
    assert answer.status_code == 200, (path, answer.text)
    return answer


def test_start_page_links_every_view(demo):
    page = get(demo, "/").text
    for href in (
        "/inkorg/logga-in",
        "/kontroll/inkorgar",
        "/kontroll/aviseringar",
        "/kontroll/pappersbrev",
        "/kontroll/handelser",
        "/kontroll/klocka",
    ):
        assert f'href="{href}"' in page
    assert "+1 dag" in page and "+3 dagar" in page


def test_kallelser_are_in_different_states(demo):
    threads = {
        bo: get(demo, f"/api/threads/{bo}").json()["messages"]
        for bo in ("demo-tolvan-0", "demo-tolvan-1", "demo-tolvan-2", "demo-anna-2")
    }
    assert [m["case_read_status"] for m in threads["demo-tolvan-1"]] == ["Unread"]
    assert [m["case_read_status"] for m in threads["demo-tolvan-2"]] == ["Read", "Read"]
    assert threads["demo-tolvan-2"][-1]["booking_cancelled"] is True
    assert threads["demo-tolvan-0"][0]["user_selection_status"] == "Archived"
    overview = get(demo, "/kontroll/inkorgar").text
    assert "Tolvan Tolvansson" in overview and "David Dahl" in overview and "MC-02" in overview
    assert get(demo, "/api/notifications").json(), "notify=true kallelser should have notified"


def test_the_trainer_moves_the_clock_and_the_paper_arrives(demo):
    letters = get(demo, "/api/paper-letters").json()
    assert len(letters) == 3 and {letter["status"] for letter in letters} == {"in_transit"}
    assert [letter["address"] for letter in letters if letter["protected_citizen"]] == [None]
    session = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(f"{demo}/", timeout=10).text).group(1)
    answer = session.post(
        f"{demo}/kontroll/klocka", data={"csrf_token": token, "button": "+3 dagar", "back": "start"}, timeout=10
    )
    assert answer.status_code == 200 and "Klockan: +3 dagar" in answer.text
    assert {letter["status"] for letter in get(demo, "/api/paper-letters").json()} == {"delivered"}
    assert "skyddad adress" in get(demo, "/kontroll/pappersbrev").text
