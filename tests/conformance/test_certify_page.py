"""Certification from a browser (simulator/certification/): the start form refuses every bad
input by name, hostile values stay text, and in Debian chromium a run against the
reference engine's adapter advances on the page, ends with the report and a signed
certificate whose download verifies offline."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from conformance.cli import conformance
from simulator.certification.form import MAX_PROFILE_BYTES
from simulator.certification.pages import accepts_profile_files
from tests.support import ROOT, require, wait_for

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"]
PROFILE = b"""[region]
id = "test"
name = "Testregionen"
sources = ["001"]

[rules]
fallback_days = 3
reminder_days_before = [4, 1]
short_notice_days = 3
minor_age = 18
"""


class Form:
    """The start form as a browser without script posts it (session cookie + CSRF token)."""

    def __init__(self, base: str):
        self.base = f"{base}/certifiering/"
        self.http = requests.Session()
        page = self.http.get(self.base, timeout=30)
        assert page.status_code == 200 and "script-src" not in page.headers["Content-Security-Policy"]
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def post(self, files=None, token: str | None = None, **fields) -> requests.Response:
        data = {"csrf_token": self.token if token is None else token, "profile": "rjl", "rules": ["CH-01"], **fields}
        return self.http.post(self.base, data=data, files=files, allow_redirects=False, timeout=30)


def errors(answer: requests.Response) -> list[str]:
    return re.findall(r'class="flash error" id="error-([a-z_]+)"', answer.text)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"adapter_url": "ftp://vendor.example/"}, "adapter_url", "http:// eller https://"),
        ({"adapter_url": "javascript:alert(1)"}, "adapter_url", "http:// eller https://"),
        ({"adapter_url": "http://"}, "adapter_url", "saknar värdnamn"),
        ({"adapter_url": "http://a b.example"}, "adapter_url", "blanksteg"),
        ({"adapter_url": "http://user:pw@vendor.example"}, "adapter_url", "lösenord"),
        ({"adapter_url": "http://vendor.example:99999999"}, "adapter_url", "URL"),
        ({"adapter_url": "http://vendor.example", "rules": ["CH-01", "ZZ-99"]}, "rules", "ZZ-99"),
        ({"adapter_url": "http://vendor.example", "rules": []}, "rules", "minst en regel"),
        ({"adapter_url": "http://vendor.example", "profile": "xyz"}, "profile", "Välj en av profilerna"),
    ],
)
def test_the_form_refuses_bad_input_by_field(reference, fields, field, words):
    answer = Form(reference.url).post(**fields)
    assert answer.status_code == 400 and field in errors(answer), answer.text[-2000:]
    assert words in answer.text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"x" * (MAX_PROFILE_BYTES + 1), "för stor"),
        (b"[region\nid = 1", "inte giltig TOML: Expected"),
        (b"\xff\xfe", "inte UTF-8"),
        (b"[rules]\nfallback_days = 3\n", "saknar [region]"),
        (b'[region]\nid = "x"\nname = "X"\n', "saknar tabellen [rules]"),
        (None, "Välj en profilfil"),
    ],
)
def test_an_uploaded_profile_is_checked_before_anything_runs(reference, content, words):
    files = {"profile_file": ("region.toml", content)} if content is not None else None
    answer = Form(reference.url).post(adapter_url="http://vendor.example", profile="upload", files=files)
    assert answer.status_code == 400 and errors(answer) == ["profile_file"] and words in answer.text


def test_a_valid_profile_file_is_accepted_or_the_missing_option_named(reference):
    answer = Form(reference.url).post(
        adapter_url="http://127.0.0.1:9", profile="upload", files={"profile_file": ("r.toml", PROFILE)}
    )
    if accepts_profile_files():
        assert answer.status_code == 303
        wait_for(lambda: 'data-state="failed"' in requests.get(reference.url + answer.headers["Location"]).text, 60)
    else:
        assert answer.status_code == 400 and "--profile-file" in answer.text


def test_a_post_without_the_csrf_token_is_refused(reference):
    answer = Form(reference.url).post(adapter_url="http://vendor.example", token="")
    assert answer.status_code == 400 and "gått ut" in answer.text


def test_unknown_runs_and_files_are_404(reference):
    for path in ("korningar/0123456789abcdef", "korningar/..%2F..", "korningar/0123456789abcdef/request.json"):
        assert requests.get(f"{reference.url}/certifiering/{path}", timeout=10).status_code == 404


def test_a_hostile_adapter_url_stays_text_and_the_failure_is_shown(reference):
    hostile = "http://127.0.0.1:9/<script>alert('x')</script>"
    answer = Form(reference.url).post(adapter_url=hostile, rules=["CH-01"])
    assert answer.status_code == 303, errors(answer)
    run_page = f"{reference.url}{answer.headers['Location']}"

    def failed_page():
        text = requests.get(run_page, timeout=10).text
        return text if 'data-state="failed"' in text else None

    page = wait_for(failed_page, 60, "the run to fail")
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert "cannot start" in page  # the suite's own words, from its progress file
    history = requests.get(f"{reference.url}/certifiering/", timeout=10).text
    assert "&lt;script&gt;" in history and "<script>alert" not in history


@pytest.mark.browser
def test_a_run_started_in_chromium_ends_with_a_certificate_that_verifies(reference, tmp_path):
    require(CHROMIUM.exists(), f"Debian chromium at {CHROMIUM}")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    rules = ["CH-01", "MC-05", "FB-01"]  # at once, content and one on the clock timeline
    wait_for(  # an earlier test's run ended (one run at a time)
        lambda: "En körning pågår" not in requests.get(f"{reference.url}/certifiering/", timeout=10).text, 60
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1000, "height": 1200})
        page = context.new_page()
        csp_errors: list[str] = []
        page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{reference.url}/certifiering/")
        page.fill("#adapter_url", reference.adapter_url)
        page.select_option("#profile", "rjl")
        for box in page.locator("input[name=rules]").all():
            box.set_checked(box.get_attribute("value") in rules)
        began = time.monotonic()
        page.click("#start-form button[type=submit]")
        page.wait_for_url(re.compile(r"/certifiering/korningar/[0-9a-f]{16}$"))
        seen_states = {page.locator("#state").get_attribute("data-state")}
        state = None
        while time.monotonic() - began < 180:  # the page refreshes itself (Refresh header)
            try:
                page.wait_for_load_state()
                state = page.locator("#state").get_attribute("data-state", timeout=5000)
            except PlaywrightError:  # caught in the middle of a refresh: look again
                continue
            seen_states.add(state)
            if state in ("finished", "failed"):
                break
            page.wait_for_timeout(500)
        assert state == "finished", page.locator("main").inner_text()
        assert seen_states & {"starting", "running"}  # it was watched while it ran
        assert page.locator("#progress").get_attribute("value") == page.locator("#progress").get_attribute("max") == "3"
        assert sorted(
            page.locator("#verdicts tr[data-rule]").evaluate_all("r => r.map(e => e.dataset.rule)")
        ) == sorted(rules)
        assert page.locator("#verdicts td.status").all_inner_texts() == ["pass"] * 3
        folder = tmp_path / "downloaded"
        folder.mkdir()
        for name in ("certificate.json", "report.json", "junit.xml", "den publika nyckeln"):
            with page.expect_download() as download:
                page.click(f"#downloads a:text-is('{name}')")
            download.value.save_as(folder / download.value.suggested_filename)
        command = page.locator("#verify-command").inner_text()
        page.click("#downloads a:text-is('index.html')")
        assert page.locator("#signed-certificate .fingerprint").is_visible()
        assert (
            page.locator("#signed-certificate .verify-command").inner_text().startswith("kallelse conformance verify")
        )
        page.goto(f"{reference.url}/certifiering/")
        assert page.locator("#history tr[data-run] td.state").first.inner_text() == "finished"
        (ROOT / "tests" / "artifacts").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / "tests" / "artifacts" / "certification-page.png"), full_page=True)
        browser.close()
    assert csp_errors == []
    args = command.split()[3:]  # verify certificate.json --public-key <file> --evidence .
    assert args[:2] == ["certificate.json", "--public-key"]
    result = CliRunner().invoke(
        conformance,
        ["verify", str(folder / "certificate.json"), "--public-key", str(folder / args[2]), "--evidence", str(folder)],
    )
    assert result.exit_code == 0 and "VALID" in result.output and "3 of 3 rules passed" in result.output, result.output
