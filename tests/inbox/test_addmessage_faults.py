"""Technical errors at the AddMessage endpoint are SOAP 1.1 Faults (TKB "Felhantering":
"Vid ett tekniskt fel levereras ett generellt undantag"): HTTP 500, faultcode soap:Client
for what the caller got wrong, a faultstring naming the element and the constraint —
never an HTML page or a stack trace, and nothing stored."""

from __future__ import annotations

import pytest
import requests

import rivta
from tests.inbox import wire
from tests.inbox.wire import ADD_MESSAGE_ACTION, INBOX, INBOX_CORE, add_message_body, envelope, person
from tests.soap import handwritten

PATH = "/inbox/AddMessage/2/rivtabp21"


@pytest.fixture()
def citizen(server):
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(person(pnr))
    return pnr


def client_fault(response) -> str:
    code, text = wire.fault(response)
    assert code == "soap:Client", text
    body = response.text
    assert "Traceback" not in body and "<html" not in body.lower()
    return text


def test_not_well_formed_envelope_is_a_client_fault(server, citizen):
    broken = handwritten.without_body_end_tag(envelope(add_message_body(citizen)).encode())
    text = client_fault(wire.post(server.url, PATH, broken, ADD_MESSAGE_ACTION))
    assert "not well-formed" in text
    assert wire.inbox_store(server).messages_for(citizen) == []


def test_request_element_in_wrong_namespace_is_a_client_fault(server, citizen):
    body = add_message_body(citizen).replace(
        f'xmlns="{INBOX}"', 'xmlns="urn:mvk:crm:casemanagement:inbox:AddMessageResponder:1"'
    )
    text = client_fault(wire.post(server.url, PATH, envelope(body), ADD_MESSAGE_ACTION))
    assert "AddMessageResponder:1}AddMessage" in text and INBOX in text
    assert wire.inbox_store(server).messages_for(citizen) == []


def test_message_fields_in_wrong_namespace_are_a_client_fault(server, citizen):
    body = add_message_body(citizen).replace(f'xmlns:core="{INBOX_CORE}"', f'xmlns:core="{INBOX}"')
    text = client_fault(wire.post(server.url, PATH, envelope(body), ADD_MESSAGE_ACTION))
    assert "Schema validation failed" in text and "msg" in text


@pytest.mark.parametrize("action", ["urn:mvk:crm:casemanagement:inbox:AddMessageResponder:1:AddMessage", "", None])
def test_wrong_or_missing_soap_action_is_a_client_fault(server, citizen, action):
    text = client_fault(wire.post(server.url, PATH, envelope(add_message_body(citizen)), action))
    assert "Wrong SOAPAction" in text and ADD_MESSAGE_ACTION in text
    assert wire.inbox_store(server).messages_for(citizen) == []


def test_missing_notify_is_a_schema_fault_naming_element_and_constraint(server, citizen):
    body = add_message_body(citizen).replace("<notify>false</notify>", "")
    text = client_fault(wire.post(server.url, PATH, envelope(body), ADD_MESSAGE_ACTION))
    assert "Schema validation failed" in text
    assert "notify" in text and "Missing child element" in text


def test_personnummer_in_wrong_form_is_a_schema_fault_MC_04(server):
    text = client_fault(wire.add_message(server.url, "8503151234"))
    assert "subjectOfCareId" in text and "pattern" in text


def test_unknown_enumeration_value_is_a_schema_fault(server, citizen):
    text = client_fault(wire.add_message(server.url, citizen, read_status="Seen"))
    assert "caseReadStatus" in text and "enumeration" in text


def test_soap_12_envelope_is_a_version_mismatch_fault(server, citizen):
    soap12 = handwritten.as_soap12(envelope(add_message_body(citizen)).encode())
    code, text = wire.fault(wire.post(server.url, PATH, soap12, ADD_MESSAGE_ACTION))
    assert code == "soap:VersionMismatch" and "SOAP 1.1" in text


def test_empty_body_is_a_client_fault(server):
    assert "Empty request body" in client_fault(wire.post(server.url, PATH, b"", ADD_MESSAGE_ACTION))


def test_wsdl_is_served_with_this_endpoint_as_address(server):
    response = requests.get(f"{server.url}{PATH}?wsdl", timeout=10)
    assert response.status_code == 200
    assert f'location="{server.url}{PATH}"' in response.text
    assert ADD_MESSAGE_ACTION in response.text


def test_chunked_request_body_is_read(server, citizen):
    """CXF streams bodies over 4 KB with Transfer-Encoding: chunked, Mule always does:
    the endpoint reads the decoded stream to its end and answers as for any request."""
    body = envelope(add_message_body(citizen)).encode()
    chunks = (body[i : i + 1000] for i in range(0, len(body), 1000))
    headers = rivta.http_headers(None, wire.CONSUMER, ADD_MESSAGE_ACTION)
    response = requests.post(server.url + PATH, data=chunks, headers=headers, timeout=10)
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 200, response.text
    assert "<resultCode>OK</resultCode>" in response.text.replace("ns0:", "").replace("ns1:", "")
    assert len(wire.inbox_store(server).messages_for(citizen)) == 1
