"""The citizen's story in a real browser (Debian chromium through Playwright), against a
real server fed by real AddMessage calls: log in, open a kallelse and see it turn Read
through GetMessageStatus, press "Avboka" and see the event, and a message that tries
XSS stays text. Screenshots go to tests/artifacts/ (KALLELSE_UPDATE_SCREENSHOTS=1 also
refreshes docs/screenshots/ for the README)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from simulator.citizen.docbook_html import MISMATCH
from tests.citizen.conftest import first_message_id, kallelse, unique
from tests.support import ROOT, require

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean")]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS_SHOTS = ROOT / "docs" / "screenshots"

XSS_MSG = (
    "<article><info><title>Viktigt &lt;script&gt;alert('title')&lt;/script&gt;</title></info>"
    "<para>&lt;script&gt;alert('xss')&lt;/script&gt; och &lt;img src=x onerror=alert('text')&gt;</para>"
    "<para><img src='x' onerror=\"alert('attr')\"/></para>"
    "<para onmouseover=\"alert('hover')\">Håll musen här</para>"
    "<para><ulink url=\"javascript:alert('link')\">Klicka</ulink></para>"
    "<script>alert('element')</script>"
    "<para>Slut på meddelandet.</para></article>"
)


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), f"Debian chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 430, "height": 900}, locale="sv-SE")
    opened = context.new_page()
    opened.dialogs = []
    opened.console_errors = []
    opened.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    opened.on("console", lambda msg: msg.type == "error" and opened.console_errors.append(msg.text))
    yield opened
    context.close()


def screenshot(page, name: str, for_readme: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    if for_readme and os.environ.get("KALLELSE_UPDATE_SCREENSHOTS"):
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(ARTIFACTS / name, DOCS_SHOTS / name)


def log_in(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/inkorg/logga-in")
    assert page.get_by_text("Simulerad inloggning").is_visible()
    page.get_by_role("button", name=name).click()
    page.wait_for_url(f"{base_url}/inkorg")


def test_open_a_kallelse_turns_it_read_and_avboka_is_recorded(simulator, care_system, people, page):
    pnr, bo = people["tolvan"], unique("web")
    care_system.add_message(
        kallelse(people["tolvan"], unique("older"), header="Kallelse till hälsokontroll", booking=None)
    )
    msg = (
        "<article><info><title>Kallelse till provtagning</title></info><para>Välkommen!</para>"
        "<variablelist><title>Din tid</title><varlistentry><term>Tid:</term><listitem>20 mars kl. 09:30"
        "</listitem></varlistentry></variablelist>"
        '<para><ulink url="https://karta.example/testvik" type="_blank">Hitta hit</ulink></para>'
        "<bibliography>Personalen på Vårdcentralen Testvik</bibliography></article>"
    )
    assert care_system.add_message(kallelse(pnr, bo, msg, header="Kallelse till provtagning", notify=True))[0] == "OK"
    assert [m["caseReadStatus"] for m in care_system.message_status(pnr, bo)["messages"]] == ["Unread"]

    log_in(page, simulator.url, "Tolvan Tolvansson")
    first = page.locator("li.thread").first
    assert "Kallelse till provtagning" in first.inner_text() and "1 oläst" in first.inner_text()
    screenshot(page, "citizen-inbox.png")

    first.get_by_role("link").click()
    page.wait_for_url(f"**/inkorg/arende/{first_message_id(care_system, bo)}")
    assert page.locator(".msg h2").inner_text() == "Kallelse till provtagning"
    assert page.get_by_role("link", name="Hitta hit").get_attribute("target") == "_blank"
    screenshot(page, "citizen-thread.png", for_readme=True)
    [status] = care_system.message_status(pnr, bo)["messages"]
    assert (status["caseReadStatus"], status["readTime"]) == ("Read", "2027-03-01T10:00:00+01:00")

    page.get_by_role("button", name="Avboka").click()
    assert page.get_by_text("Din avbokning är skickad till mottagningen.").is_visible()
    assert page.get_by_role("button", name="Avboka").count() == 0
    [event] = care_system.api("GET", "/api/citizen-actions", params={"business_object_id": bo}).json()
    assert (event["action"], event["booking_id"], event["personnummer"]) == ("cancel", f"B-{bo}", pnr)
    page.goto(f"{simulator.url}/kontroll/handelser")
    assert page.locator(f"tr[data-event='{event['event_id']}']").inner_text().count("Avboka") == 1


def test_script_and_event_handlers_in_a_message_stay_inert(simulator, care_system, people, page):
    pnr, bo = people["tolvan"], unique("xss")
    assert (
        care_system.add_message(
            kallelse(
                pnr,
                bo,
                XSS_MSG,
                header="<img src=x onerror=alert('header')>",
                case_type="<script>alert('type')</script>",
            )
        )[0]
        == "OK"
    )
    log_in(page, simulator.url, "Tolvan Tolvansson")
    page.locator("li.thread a").first.click()
    page.wait_for_load_state("load")
    injected = page.evaluate("""() => document.querySelectorAll(
        'main script, main img, main iframe, [onerror], [onmouseover], [onclick], a[href^="javascript"]').length""")
    assert injected == 0
    assert page.dialogs == []
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
    body = page.locator("main").inner_text()
    assert "<script>alert('xss')</script>" in body and "<img src=x onerror=alert('header')>" in body
    assert MISMATCH in body and "Slut på meddelandet." in body
    # the img, the handler-carrying para, the javascript: link and <script> are each replaced by the marker
    assert page.locator(".msg .mismatch").count() == 4
    assert page.locator("a", has_text="Klicka").count() == 0


def test_an_unsupported_element_shows_the_mismatch_marker(simulator, care_system, people, page):
    pnr, bo = people["tolvan"], unique("mm")
    msg = "<article><para>Före</para><para><emphasis>fetstil</emphasis></para><para>Efter</para></article>"
    care_system.add_message(kallelse(pnr, bo, msg, booking=None))
    log_in(page, simulator.url, "Tolvan Tolvansson")
    page.locator("li.thread a").first.click()
    marker = page.locator(".msg .mismatch")
    assert marker.count() == 1 and marker.inner_text() == MISMATCH and marker.is_visible()
    assert "fetstil" not in page.locator(".msg").inner_text()
