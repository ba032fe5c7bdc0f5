"""Schema faults name the failing element by local names and keep the constraint text
intact, however the client bound its namespaces."""

import pytest
from lxml import etree

from contracts import BUILTIN_DIR
from contracts.bundle import ContractBundle
from simulator.soap.envelope import SoapFault
from simulator.soap.validation import validate

RESPONDER = "urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2"
CORE = "urn:mvk:crm:casemanagement:inbox:2"


def fault_for(payload: str) -> str:
    schema = ContractBundle(BUILTIN_DIR)["AddMessage"].schema
    wrapper = etree.fromstring(f"<soap-body>{payload}</soap-body>")
    with pytest.raises(SoapFault) as caught:
        validate(schema, wrapper[0])
    assert caught.value.code == "Client" and caught.value.rule_ids == ("MC-01",)
    return caught.value.text


def test_default_namespace_client_gets_a_readable_path_and_the_enumeration():
    text = fault_for(
        f'<AddMessage xmlns="{RESPONDER}" xmlns:c="{CORE}"><subjectOfCareId>191212121212'
        f"</subjectOfCareId><message><c:caseReadStatus>Bad</c:caseReadStatus><c:msg>x</c:msg>"
        f"</message><notify>true</notify></AddMessage>"
    )
    assert "/AddMessage/message/caseReadStatus" in text
    assert "{'Read', 'Unread'}" in text


def test_prefixed_client_gets_the_whole_pattern():
    text = fault_for(
        f'<a:AddMessage xmlns:a="{RESPONDER}" xmlns:c="{CORE}"><a:subjectOfCareId>1912'
        f"</a:subjectOfCareId><a:message><c:msg>x</c:msg></a:message><a:notify>true</a:notify>"
        f"</a:AddMessage>"
    )
    assert "/AddMessage/subjectOfCareId" in text
    assert "[0-9]{8}[0-9pPtTfF][0-9]{3}" in text


def test_misplaced_element_names_what_was_expected_without_namespace_noise():
    text = fault_for(
        f'<a:AddMessage xmlns:a="{RESPONDER}" xmlns:c="{CORE}"><a:subjectOfCareId>191212121212'
        f"</a:subjectOfCareId><a:message><c:msg>x</c:msg><c:booking/></a:message>"
        f"<a:notify>true</a:notify></a:AddMessage>"
    )
    assert "/AddMessage/message/booking" in text and "urlConfiguration" in text and "urn:" not in text
