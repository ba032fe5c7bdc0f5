"""The SOAP surface rules of issue #13, one test each, in-process: DOCTYPE refused with a
Client fault (WS-I BP R1008), chunked bodies read, unknown mustUnderstand headers
answered with a MustUnderstand fault (LogicalAddress is understood), WSDL addresses never
reflect a raw Host, fault text bounded in time and size, huge sibling counts refused
early — and every one of these exchanges recorded."""

from __future__ import annotations

import io
import time

from lxml import etree

import rivta
from contracts.bundle import builtin_bundle
from simulator.soap import envelope as soap
from simulator.soap.validation import validate
from tests.soap import handwritten
from tests.soap.answers import judge

BUNDLE = builtin_bundle()
ADD = BUNDLE["AddMessage"]
PATH = "/inbox/AddMessage/2/rivtabp21"
PU = BUNDLE["GetPersonsForProfile"]
PU_PATH = "/pu/GetPersonsForProfile/5/rivtabp21"
LOGICAL_ADDRESS = "SE2321000016-MVK"
MUST_UNDERSTAND = f"{{{rivta.SOAP11_NS}}}mustUnderstand"
ACTOR = f"{{{rivta.SOAP11_NS}}}actor"
TOLVAN = "191212121212"


def trace(text: str, attributes: dict[str, str] | None = None) -> etree._Element:
    """A header block no node here knows (``{urn:unknown}Trace``)."""
    block = etree.Element("{urn:unknown}Trace", attributes or {})
    block.text = text
    return block


def add_message(value: str = TOLVAN, headers: list[etree._Element] | None = None, logical: bool = True) -> bytes:
    """The library's AddMessage envelope; ``headers`` are further header blocks."""
    payload = (
        f'<AddMessage xmlns="{ADD.responder_namespace}" xmlns:c="{ADD.core_namespace}">'
        f"<subjectOfCareId>{value}</subjectOfCareId><message>"
        "<c:caseType><c:caseTypeDescription>Kallelse</c:caseTypeDescription></c:caseType>"
        "<c:msg>&lt;article&gt;&lt;para&gt;Hej&lt;/para&gt;&lt;/article&gt;</c:msg></message>"
        "<notify>false</notify></AddMessage>"
    )
    return rivta.envelope(payload, LOGICAL_ADDRESS if logical else None, headers or [])


def post(inprocess, body: bytes, path: str = PATH, contract=ADD, **headers):
    answer = inprocess.client.post(
        path,
        data=body,
        content_type="text/xml; charset=utf-8",
        headers={"SOAPAction": f'"{contract.soap_action}"', **headers},
    )
    return judge(answer.status_code, answer.headers["Content-Type"], answer.get_data(), contract)


def test_a_doctype_with_an_internal_entity_in_a_typed_value_is_a_client_fault_and_recorded(inprocess):
    before = inprocess.recorded()
    entity = add_message().replace(f">{TOLVAN}<".encode(), b">&pnr;<")
    body = handwritten.with_doctype(entity, f' [<!ENTITY pnr "{TOLVAN}">]'.encode())
    answer = post(inprocess, body)
    assert answer.faultcode == "Client"
    assert "R1008" in answer.faultstring
    assert inprocess.recorded() == before + 1


def test_a_plain_doctype_is_refused_too(inprocess):
    answer = post(inprocess, handwritten.with_doctype(add_message()))
    assert answer.faultcode == "Client" and "DOCTYPE" in answer.faultstring


def test_a_chunked_body_is_read(inprocess):
    answer = inprocess.client.post(
        PATH,
        input_stream=io.BytesIO(add_message()),
        headers={"SOAPAction": f'"{ADD.soap_action}"', "Transfer-Encoding": "chunked", "Content-Type": "text/xml"},
    )
    verdict = judge(answer.status_code, answer.headers["Content-Type"], answer.get_data(), ADD)
    assert verdict.payload is not None, verdict


def test_an_unknown_must_understand_header_gets_a_must_understand_fault(inprocess):
    answer = post(inprocess, add_message(headers=[trace("x", {MUST_UNDERSTAND: "1"})]))
    assert answer.faultcode == "MustUnderstand"
    assert "{urn:unknown}Trace" in answer.faultstring


def test_understood_optional_and_other_actor_headers_are_accepted(inprocess):
    understood = rivta.logical_address_header(LOGICAL_ADDRESS)
    understood.set(MUST_UNDERSTAND, "1")
    body = add_message(headers=[understood, trace("optional")], logical=False)
    assert post(inprocess, body).payload is not None
    other_actor = trace("x", {ACTOR: "urn:somebody-else", MUST_UNDERSTAND: "1"})
    assert post(inprocess, add_message(headers=[other_actor])).payload is not None


def test_wsdl_addresses_come_from_a_validated_host(inprocess):
    hostile = inprocess.client.get(PATH, query_string="wsdl", headers={"Host": 'evil"/><x:y a="'})
    text = hostile.get_data(as_text=True)
    etree.fromstring(hostile.get_data())  # still well-formed
    assert "evil" not in text
    fine = inprocess.client.get(PATH, query_string="wsdl", headers={"Host": "testbed.example:8443"}).get_data(
        as_text=True
    )
    assert 'location="http://testbed.example:8443/inbox/AddMessage/2/rivtabp21"' in fine
    assert 'schemaLocation="http://testbed.example:8443/contracts/' in fine


def test_a_configured_public_url_wins(inprocess, monkeypatch):
    monkeypatch.setenv("KALLELSE_PUBLIC_URL", "https://kallelse.region.example/sim/")
    text = inprocess.client.get(PATH, query_string="wsdl", headers={"Host": "other:1"}).get_data(as_text=True)
    assert 'location="https://kallelse.region.example/sim/inbox/AddMessage/2/rivtabp21"' in text
    assert "other:1" not in text


def test_huge_sibling_counts_are_refused_early_and_recorded(inprocess):
    before = inprocess.recorded()
    body = add_message().replace(b"<notify>", b"<x/>" * 2_500_000 + b"<notify>")
    assert len(body) > 10_000_000 - 100_000
    started = time.process_time()
    answer = post(inprocess, body[: 10 * 1024 * 1024])
    assert time.process_time() - started < 1.0
    assert answer.faultcode == "Client" and "too many elements" in answer.faultstring
    assert inprocess.recorded() == before + 1


def test_fault_text_is_built_in_bounded_time_and_size():
    """Below the element limit, a validation error deep in a long list of siblings is
    still named in milliseconds, and a megabyte tag name does not become a megabyte fault."""
    ids = "".join(
        f"<personId><c:root>1.2.752.129.2.1.3.1</c:root><c:extension>19121212121{i % 10}</c:extension></personId>"
        for i in range(6000)
    )
    payload = etree.fromstring(
        f'<GetPersonsForProfile xmlns="{PU.responder_namespace}" xmlns:c="{PU.core_namespace}">{ids}'
        "<personId><c:root>1</c:root><c:bogus/></personId><profile>P1</profile>"
        "<ignoreReferredIdentity>false</ignoreReferredIdentity></GetPersonsForProfile>"
    )
    started = time.process_time()
    try:
        validate(PU.schema, payload)
    except soap.SoapFault as fault:
        assert "/GetPersonsForProfile/personId/" in fault.text, fault.text
    else:
        raise AssertionError("an invalid request validated")
    assert time.process_time() - started < 0.5
    long_tag = "a" * 1_000_000
    fault = soap.SoapFault("Client", f"Unexpected request element {long_tag}")
    assert len(fault.text) <= soap.MAX_FAULT_TEXT


def test_a_long_soap_action_is_a_bounded_client_fault(inprocess):
    answer = post(inprocess, add_message(), SOAPAction="x" * 100_000)
    assert answer.faultcode == "Client" and len(answer.faultstring) <= soap.MAX_FAULT_TEXT
