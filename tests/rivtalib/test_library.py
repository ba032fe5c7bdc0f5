"""The RIVTA client library without a server: envelopes, payloads built from element
names (valid against the contracts' own XSDs), identity roots, and answers mapped to
results and typed exceptions."""

from __future__ import annotations

import pytest
from lxml import etree

import rivta
from contracts.bundle import builtin_bundle
from simulator.soap import envelope as soap

BUNDLE = builtin_bundle()
SOAP = rivta.SOAP11_NS


def body_of(data: bytes) -> etree._Element:
    return etree.fromstring(data).find(f"{{{SOAP}}}Body")[0]


def test_envelope_carries_the_logical_address_header_and_the_payload():
    payload = rivta.get_user_profile(BUNDLE["GetUserProfile"], "191212121212")
    root = etree.fromstring(rivta.envelope(payload, "SE2321000016-MVK"))
    assert root.tag == f"{{{SOAP}}}Envelope"
    assert root.findtext(f"{{{SOAP}}}Header/{rivta.LOGICAL_ADDRESS}") == "SE2321000016-MVK"
    assert root.find(f"{{{SOAP}}}Body")[0].tag == BUNDLE["GetUserProfile"].request_element


def test_envelope_without_logical_address_has_no_header():
    root = etree.fromstring(rivta.envelope("<x xmlns='urn:a'/>", None))
    assert root.find(f"{{{SOAP}}}Header") is None and root.find(f"{{{SOAP}}}Body/{{urn:a}}x") is not None


def test_further_header_blocks_follow_the_logical_address():
    trace = etree.Element("{urn:trace}Trace")
    root = etree.fromstring(rivta.envelope("<x xmlns='urn:a'/>", "SE-LA", [trace]))
    assert [block.tag for block in root.find(f"{{{SOAP}}}Header")] == [rivta.LOGICAL_ADDRESS, "{urn:trace}Trace"]
    alone = etree.fromstring(rivta.envelope("<x xmlns='urn:a'/>", None, [rivta.logical_address_header("SE-LA")]))
    assert alone.findtext(f"{{{SOAP}}}Header/{rivta.LOGICAL_ADDRESS}") == "SE-LA"


def test_a_payload_given_as_text_keeps_its_cdata():
    data = rivta.envelope("<m xmlns='urn:a'><![CDATA[<article/>]]></m>", "X")
    assert b"<![CDATA[<article/>]]>" in data and body_of(data).text == "<article/>"


def test_payload_text_is_parsed_without_entities_or_network():
    data = rivta.envelope('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "X")
    assert b"root:" not in data


def test_http_headers_take_the_soap_action_from_the_contract():
    contract = BUNDLE["AddMessage"]
    headers = rivta.http_headers(contract, "SE-CONSUMER")
    assert headers["SOAPAction"] == f'"{contract.soap_action}"'
    assert headers[rivta.CONSUMER_HEADER] == "SE-CONSUMER" and headers["Content-Type"].startswith("text/xml")
    assert rivta.CONSUMER_HEADER not in rivta.http_headers(contract, None)
    assert rivta.http_headers(contract, None, "urn:other")["SOAPAction"] == '"urn:other"'


def test_build_qualifies_children_responder_then_core_and_leaves_out_none():
    contract = BUNDLE["AddMessage"]
    payload = rivta.build(contract, {"subjectOfCareId": "191212121212", "message": {"msg": "x", "headerText": None}})
    ns, core = contract.responder_namespace, contract.core_namespace
    assert payload.find(f"{{{ns}}}subjectOfCareId").text == "191212121212"
    assert payload.find(f"{{{ns}}}message/{{{core}}}msg").text == "x"
    assert payload.find(f"{{{ns}}}message/{{{core}}}headerText") is None


@pytest.mark.parametrize(
    "interaction, payload",
    [
        (
            "AddMessage",
            lambda c: rivta.add_message(
                c,
                rivta.Kallelse(
                    "191212121212",
                    "<article><para>Hej &amp; välkommen</para></article>",
                    business_object_id="kallelse:rjl:B-1",
                    header="Kallelse",
                    facility={"hsaId": "SE2321000065-E12", "healthCareFacilityName": "Ryhov"},
                    booking={"bookingId": "B-1", "isInvitation": True, "bookingDate": "2026-12-10T09:30:00"},
                    source_system="SE2321000065-7331",
                ),
            ),
        ),
        ("GetMessageStatus", lambda c: rivta.get_message_status(c, "191212121212", "kallelse:rjl:B-1")),
        ("GetUserProfile", lambda c: rivta.get_user_profile(c, "191212121212")),
        ("GetPersonsForProfile", lambda c: rivta.get_persons_for_profile(c, ["191212121212", "199001722389"])),
    ],
)
def test_every_request_builder_is_valid_against_its_contract(interaction, payload):
    contract = BUNDLE[interaction]
    element = payload(contract)
    assert element.tag == contract.request_element
    assert contract.schema.validate(etree.fromstring(etree.tostring(element))), contract.schema.error_log


def test_add_message_entity_encodes_the_docbook_text():
    payload = rivta.add_message(BUNDLE["AddMessage"], rivta.Kallelse("191212121212", "<article/>"))
    assert b"&lt;article/&gt;" in etree.tostring(payload)


@pytest.mark.parametrize(
    "pnr, root",
    [
        ("191212121212", rivta.messages.OID_PERSONNUMMER),
        ("199001722389", rivta.messages.OID_SAMORDNINGSNUMMER),
        ("19900101T123", rivta.messages.OID_RESERVNUMMER),
    ],
)
def test_identity_roots(pnr, root):
    assert rivta.messages.identity_root(pnr) == root


def answer(contract, inner: str) -> bytes:
    """A producer's answer, built by the simulator's own SOAP layer (the server side)."""
    ns = contract.responder_namespace
    response = etree.QName(contract.response_element).localname
    return soap.response(etree.fromstring(f'<{response} xmlns="{ns}">{inner}</{response}>'))


def test_an_answer_gives_the_response_element_and_its_result():
    contract = BUNDLE["AddMessage"]
    payload = rivta.parse_response(
        contract, 200, answer(contract, "<resultCode>INFO</resultCode><resultText>x</resultText>")
    )
    assert payload.tag == contract.response_element
    assert rivta.result(payload) == rivta.Result("INFO", "x")


def fault_body(code: str, text: str) -> bytes:
    """``code`` is the faultcode's local part; the server writes it ``soap:<code>``."""
    return soap.fault(code, text)


def test_a_fault_is_a_typed_exception_with_code_text_and_vp_code():
    with pytest.raises(rivta.SoapFault) as caught:
        rivta.parse_response(
            BUNDLE["AddMessage"], 500, fault_body("Client", "VP007 [x] Tjänstekonsumenten saknar behörighet")
        )
    fault = caught.value
    assert (fault.status, fault.code, fault.vp_code) == (500, "Client", "VP007")
    assert fault.interaction == "AddMessage" and "saknar behörighet" in fault.text


def test_a_producer_fault_has_no_vp_code():
    with pytest.raises(rivta.SoapFault) as caught:
        rivta.parse_response(BUNDLE["AddMessage"], 500, fault_body("Server", "database down"))
    assert caught.value.code == "Server" and caught.value.vp_code is None


@pytest.mark.parametrize(
    "status, body",
    [
        (502, b"<html>Bad gateway</html"),
        (200, b"not xml"),
        (200, soap.response(etree.Element("x"))),
    ],
)
def test_anything_else_is_an_http_error(status, body):
    with pytest.raises(rivta.HttpError) as caught:
        rivta.parse_response(BUNDLE["AddMessage"], status, body)
    assert caught.value.status == status and isinstance(caught.value, rivta.RivtaError)
