"""A trainer creates a booking from the form at /dispatch/ in a real browser (Debian
chromium through Playwright), reads why the channels were chosen, and follows the kallelse
into the citizen's 1177 inbox; then the report page shows it with its SVG chart."""

from __future__ import annotations

import os
import re
import shutil

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI")
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def test_trainer_sends_a_kallelse_from_the_form_and_follows_it_into_the_inbox(dispatch, browser):
    page = browser.new_page()
    page.goto(f"{dispatch.url}/dispatch/")
    page.select_option("#personnummer", "191212121212")  # Tolvan: opted out, SMS notification
    page.fill("#visit_type", "Ultraljud hjärta")
    page.fill("#preparations", "Ingen förberedelse behövs.")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dispatch/bokningar/"))
    page.locator("#status[data-state=dispatched]").wait_for(timeout=30000)  # the page refreshes itself
    assert "only to 1177" in page.inner_text("#summary")
    assert "CH-01" in page.content()
    page.click("#to-inbox")
    page.click("button.person[value='191212121212']")
    page.wait_for_url(re.compile(r"/inkorg"))
    page.click("text=Kallelse till Ultraljud hjärta")
    body = page.inner_text("main")
    assert "Ultraljud hjärta" in body and "Ingen förberedelse behövs." in body
    assert "Hitta hit" in body
    page.goto(f"{dispatch.url}/dispatch/rapport")
    assert page.locator("svg[role=img]").count() == 1
    assert "Digital only" in page.inner_text("#shares")
    page.close()


def test_form_errors_name_the_field_and_store_nothing(dispatch, browser):
    page = browser.new_page()
    page.goto(f"{dispatch.url}/dispatch/")
    page.fill("#visit_start", "2001-01-01T10:00")
    page.click("button[type=submit]")
    assert "visit_start" in page.inner_text(".flash.error")
    page.close()
