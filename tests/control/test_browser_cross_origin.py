"""Issue #13's attack in a real browser (Debian chromium through Playwright): a page on
another origin runs ``fetch('http://127.0.0.1:PORT/api/reset', {method: 'POST', mode:
'no-cors'})``. Before, that emptied every inbox; now the simulator refuses it (403) and
the population and the messages stay."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.support import SimulatorProcess, free_port, require

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PNR = "195001011005"


def evil_page(target: str) -> bytes:
    return f"""<!doctype html><html><body><p id="state">waiting</p><script>
    fetch('{target}/api/reset', {{method: 'POST', mode: 'no-cors'}})
      .then(() => document.getElementById('state').textContent = 'sent')
      .catch(() => document.getElementById('state').textContent = 'sent');
    </script></body></html>""".encode()


@pytest.fixture()
def simulator(tmp_path):
    server = SimulatorProcess(tmp_path / "sim", seed=True, workers=1).start()
    yield server
    server.stop()


@pytest.fixture()
def attacker(simulator):
    """Another origin: the same host, another port, serving the page above."""
    body = evil_page(simulator.url)

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_page_on_another_origin_cannot_reset_the_simulator(simulator, attacker):
    require(CHROMIUM.exists(), f"Debian chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    created = requests.post(
        f"{simulator.url}/api/citizens",
        json={"personnummer": PNR, "given_name": "Tolvan", "surname": "Tolvansson"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    population = requests.get(f"{simulator.url}/api/citizens", timeout=10).json()["total"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        answers = []
        page.on("response", lambda response: "/api/reset" in response.url and answers.append(response.status))
        page.goto(attacker)
        page.wait_for_function("document.getElementById('state').textContent === 'sent'", timeout=15_000)
        page.wait_for_timeout(500)
        browser.close()

    assert answers == [403], f"the browser's request should have reached the simulator and been refused: {answers}"
    assert requests.get(f"{simulator.url}/api/citizens/{PNR}", timeout=10).status_code == 200
    assert requests.get(f"{simulator.url}/api/citizens", timeout=10).json()["total"] == population
