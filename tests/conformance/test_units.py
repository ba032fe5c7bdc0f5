"""The suite's own parts without a server: catalog selection, reading requests off the
wire, verdicts, and the three reports (escaping included)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

import rivta
from conformance import catalog, wire
from conformance.checks import wirerules
from conformance.report import Certificate, html, junit, write
from conformance.verdicts import Evidence, Finding, Judgement, Verdict
from tests.soap import handwritten

# A recorded AddMessage's payload; the envelope around it is rivta's, or (``foreign``) the
# spelling of another vendor's SOAP stack, so the suite's reader is tested against both.
ADD_MESSAGE = """<AddMessage xmlns="urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2"
 xmlns:core="urn:mvk:crm:casemanagement:inbox:2">
<subjectOfCareId>{pnr}</subjectOfCareId>
<message><core:caseType><core:caseTypeDescription>Kallelse</core:caseTypeDescription></core:caseType>
<core:booking><core:bookingId>B-1</core:bookingId><core:isInvitation>true</core:isInvitation>
<core:cancelled>{cancelled}</core:cancelled></core:booking>
<core:businessObjectId>{boid}</core:businessObjectId><core:headerText>Kallelse</core:headerText>
<core:msg>{msg}</core:msg></message>
<notify>{notify}</notify>{source}
</AddMessage>"""
LOGICAL_ADDRESS = "SE2321000016-MVK"
GOOD_MSG = (
    '&lt;article&gt;&lt;para&gt;Hej &lt;ulink url="https://x.se/hitta"&gt;Hitta hit&lt;/ulink&gt;'
    "&lt;/para&gt;&lt;/article&gt;"
)


def record(
    pnr="191212121212",
    boid="kallelse:1",
    cancelled="false",
    msg=GOOD_MSG,
    source="<sourceSystem>SE2321000065-7331</sourceSystem>",
    record_id=1,
    notify="true",
    logical_address: str | None = LOGICAL_ADDRESS,
    foreign: bool = False,
) -> dict:
    payload = ADD_MESSAGE.format(pnr=pnr, boid=boid, cancelled=cancelled, msg=msg, source=source, notify=notify)
    if foreign:
        assert logical_address is not None
        body = handwritten.foreign_envelope(payload, logical_address)
    else:
        body = rivta.envelope(payload, logical_address).decode("utf-8")
    return {
        "id": record_id,
        "contract": "AddMessage",
        "time": "2026-12-01T08:00:00+00:00",
        "request_body": body,
        "outcome": "ok",
    }


def judged(rule: str, fn, *args) -> tuple[str, list]:
    judgement = Judgement(rule)
    fn(judgement, *args)
    return judgement.verdict()[0], judgement.findings


def test_select_keeps_catalog_order_and_names_unknown_ids():
    assert catalog.select("fb-01, CH-03") == ["CH-03", "FB-01"]
    assert catalog.select(None) == list(catalog.RULES)
    with pytest.raises(ValueError, match="XX-99"):
        catalog.select("CH-03,XX-99")


def test_every_lk_ch_fb_rm_mc_rule_of_the_guideline_is_in_the_catalog():
    families = {"LK": 4, "CH": 12, "FB": 2, "RM": 2, "MC": 12}
    for family, count in families.items():
        assert [r for r in catalog.RULES if r.startswith(family)] == [f"{family}-{n:02d}" for n in range(1, count + 1)]


@pytest.mark.parametrize("foreign", [False, True], ids=["rivta", "another-stack"])
def test_a_good_add_message_passes_mc01_to_mc04(foreign):
    request = wire.parse(record(foreign=foreign))
    message = wire.add_message(request)
    assert request.logical_address == "SE2321000016-MVK"
    assert judged("MC-01", wirerules.mc01, [request])[0] == "pass"
    assert judged("MC-02", wirerules.mc02, [message])[0] == "pass"
    assert judged("MC-03", wirerules.mc03, [message])[0] == "pass"
    assert judged("MC-04", wirerules.mc04, [request])[0] == "pass"
    assert message.links() == ["https://x.se/hitta"]


@pytest.mark.parametrize(
    "change, rule, fn, seen",
    [
        ({"pnr": "191212121213"}, "MC-04", wirerules.mc04, "wrong check digit"),
        ({"source": ""}, "MC-03", wirerules.mc03, "no sourceSystem"),
        (
            {"msg": "&lt;article&gt;&lt;para&gt;&lt;emphasis&gt;x&lt;/emphasis&gt;&lt;/para&gt;&lt;/article&gt;"},
            "MC-02",
            wirerules.mc02,
            "emphasis",
        ),
        ({"msg": "<article xmlns=''><para>raw</para></article>"}, "MC-02", wirerules.mc02, "instead of entity-encoded"),
    ],
)
def test_each_broken_field_fails_its_rule_and_says_what_was_seen(change, rule, fn, seen):
    request = wire.parse(record(**change))
    subject = [request] if rule in ("MC-01", "MC-04") else [wire.add_message(request)]
    status, findings = judged(rule, fn, subject)
    assert status == "fail"
    assert any(seen in f.seen for f in findings if not f.ok)


def test_missing_logical_address_and_schema_error_fail_mc01():
    status, findings = judged("MC-01", wirerules.mc01, [wire.parse(record(logical_address=None, notify="maybe"))])
    assert status == "fail"
    seen = " ".join(f.seen for f in findings if not f.ok)
    assert "no LogicalAddress" in seen and "maybe" in seen


def test_threads_mc09_mc10_on_the_wire():
    same = [
        wire.add_message(wire.parse(record(record_id=1))),
        wire.add_message(wire.parse(record(cancelled="true", record_id=2))),
    ]
    j9, j10 = Judgement("MC-09"), Judgement("MC-10")
    wirerules.threads(j9, j10, same)
    assert j9.verdict()[0] == "pass" and j10.verdict()[0] == "pass"
    split = [same[0], wire.add_message(wire.parse(record(boid="kallelse:1:avbokning", cancelled="true", record_id=2)))]
    j9, j10 = Judgement("MC-09"), Judgement("MC-10")
    wirerules.threads(j9, j10, split)
    assert j9.verdict()[0] == "fail" and j10.verdict()[0] == "fail"


def test_mc12_names_the_leaked_detail():
    status, findings = judged(
        "MC-12", wirerules.mc12, [("SMS", "Påminnelse: Arbetsprov hos Ryhov kl 10:00")], ["Arbetsprov", "Ryhov"]
    )
    assert status == "fail" and "'Arbetsprov'" in findings[0].seen


def test_judgement_without_expectations_is_an_error_not_a_pass():
    assert Judgement("CH-01").verdict()[0] == "error"
    na = Judgement("CH-01")
    na.not_applicable("nothing to judge")
    assert na.verdict() == ("not_applicable", "nothing to judge")


def sample_verdicts() -> list[Verdict]:
    hostile = "<script>alert('x')</script>"
    return [
        Verdict(
            "CH-03",
            "fail",
            catalog.RULES["CH-03"].title,
            "000",
            f"Expected paper; saw {hostile}",
            [Finding(False, "a paper letter", hostile), Finding(True, "an AddMessage", "1")],
            [Evidence("soap", f"AddMessage {hostile}", f"<soap>{hostile}</soap>\x01", "2026-12-01T08:00:00")],
            "Minors",
            "2026-12-01T08:00:00",
            1.5,
        ),
        Verdict(
            "MC-08",
            "pass",
            catalog.RULES["MC-08"].title,
            "001",
            "1 expectation(s) held.",
            [Finding(True, "a link", "links")],
            [],
            "Kallelse",
            "2026-12-01T08:00:00",
            0.5,
        ),
    ]


def certificate() -> Certificate:
    return Certificate(
        "Vendor <AB>",
        "Journal & Co",
        "9.9",
        "rjl",
        "Region Jönköpings län",
        "2026-12-01",
        "2026-12-01T08:00:00+00:00",
        "http://sim",
        "http://adapter",
        "automated",
    )


def test_reports_escape_everything_and_carry_the_certificate(tmp_path):
    data = write(tmp_path, certificate(), sample_verdicts(), 3.0)
    page = (tmp_path / "index.html").read_text("utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert "Vendor &lt;AB&gt;" in page and "Journal &amp; Co" in page
    assert "Certificate summary" in page and "Rules failed</dt><dd>1: CH-03" in page
    assert "@media print" in page
    assert "<dt>004</dt><dd>Inera, 1177 inkorg</dd>" in page  # a reader can look the sources up
    assert data["summary"] == {"pass": 1, "fail": 1, "not_applicable": 0, "error": 0, "total": 2, "passed": False}
    stored = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert stored["rules"][0]["findings"][0]["expected"] == "a paper letter"


def test_junit_has_one_case_per_rule_with_expected_and_seen():
    suite = etree.fromstring(junit.render(write_data()))
    cases = suite.findall("testcase")
    assert [c.get("name").split()[0] for c in cases] == ["CH-03", "MC-08"]
    failure = cases[0].find("failure")
    assert "expected: a paper letter" in failure.text and suite.get("failures") == "1"
    assert cases[1].find("failure") is None
    assert "\x01" not in cases[0].findtext("system-out")


def write_data() -> dict:
    from conformance.report import document

    return document(certificate(), sample_verdicts(), 3.0)


def test_html_groups_rules_by_family():
    page = html.render(write_data())
    assert page.index("Channel decision") < page.index("Message content")
