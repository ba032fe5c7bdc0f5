"""GetMessageStatus over real SOAP (004 §5, RP-02): a care system sees a message turn
Read, with the simulator clock's time, when the citizen opens it; logical errors are
resultCode answers, technical ones SOAP Faults. The contract is the simulator's own
(contracts/TD_KALLELSE_STATUS_1_0)."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

import rivta
from contracts.bundle import builtin_bundle
from tests.citizen.conftest import CONSUMER, first_message_id, kallelse, set_clock, unique

pytestmark = pytest.mark.usefixtures("clean")
CONTRACT = builtin_bundle()["GetMessageStatus"]


def test_unread_until_the_citizen_opens_it_then_read_at_the_clock_time(simulator, care_system, people, citizen):
    pnr, bo = people["tolvan"], unique("rs")
    assert care_system.add_message(kallelse(pnr, bo))[0] == "OK"
    assert care_system.add_message(kallelse(pnr, bo, header="Påminnelse"))[0] == "OK"
    status = care_system.message_status(pnr, bo)
    assert status["resultCode"] == "OK" and status["resultText"] is None
    assert [m["caseReadStatus"] for m in status["messages"]] == ["Unread", "Unread"]
    assert all("readTime" not in m for m in status["messages"])
    assert {(m["actionDate"], m["actionTime"]) for m in status["messages"]} == {("2027-03-01", "10:00:00")}

    set_clock(simulator.url, {"advance": "PT3H"})
    citizen.log_in(pnr)
    citizen.open_thread(first_message_id(care_system, bo))
    status = care_system.message_status(pnr, bo)
    assert [(m["caseReadStatus"], m["readTime"], m["userSelectionStatus"]) for m in status["messages"]] == [
        ("Read", "2027-03-01T13:00:00+01:00", "Active")
    ] * 2
    ids = [m["message_id"] for m in care_system.api("GET", f"/api/threads/{bo}").json()["messages"]]
    assert [m["id"] for m in status["messages"]] == ids


def test_archived_threads_say_so(care_system, people, citizen):
    pnr, bo = people["tolvan"], unique("rs")
    care_system.add_message(kallelse(pnr, bo))
    citizen.log_in(pnr)
    citizen.post_form(f"/inkorg/arende/{first_message_id(care_system, bo)}/arkivera", "/inkorg")
    [message] = care_system.message_status(pnr, bo)["messages"]
    assert (message["caseReadStatus"], message["userSelectionStatus"]) == ("Unread", "Archived")


def test_the_answer_is_valid_against_the_contract(care_system, people):
    pnr, bo = people["tolvan"], unique("rs")
    care_system.add_message(kallelse(pnr, bo))
    answer = care_system.soap("GetMessageStatus", rivta.get_message_status(CONTRACT, pnr, bo))
    assert answer.tag == CONTRACT.response_element
    assert CONTRACT.schema.validate(etree.fromstring(etree.tostring(answer))), CONTRACT.schema.error_log


def test_another_persons_thread_or_an_unknown_one_is_info(care_system, people):
    bo = unique("rs")
    care_system.add_message(kallelse(people["tolvan"], bo))
    for pnr, thread in ((people["anna"], bo), (people["tolvan"], "no-such-thread")):
        status = care_system.message_status(pnr, thread)
        assert (status["resultCode"], status["messages"]) == ("INFO", [])
        assert "businessObjectId" in status["resultText"]


def test_wrong_check_digit_is_a_logical_error_mc04(care_system):
    status = care_system.message_status("191212121213", "x")
    assert status["resultCode"] == "ERROR" and "kontrollsiffra" in status["resultText"]


@pytest.mark.parametrize(
    "pnr, bo, expected",
    [
        ("1912121212", "x", "subjectOfCareId"),  # pattern
        ("191212121212", "", "businessObjectId"),  # minLength
    ],
)
def test_schema_violations_are_client_faults_naming_the_element(care_system, pnr, bo, expected):
    with pytest.raises(rivta.SoapFault) as caught:
        care_system.soap("GetMessageStatus", rivta.get_message_status(CONTRACT, pnr, bo))
    assert caught.value.status == 500 and caught.value.code == "Client" and expected in caught.value.text


def test_wrong_soap_action_is_a_fault(simulator, people):
    client = rivta.RivtaClient(CONSUMER, timeout=10)
    endpoint = rivta.Endpoint(CONTRACT, f"{simulator.url}/inbox/GetMessageStatus/1/rivtabp21", "SE2321000016-MVK")
    body = rivta.envelope(rivta.get_message_status(CONTRACT, people["tolvan"], "x"), endpoint.logical_address)
    answer = client.post(endpoint, body, soap_action="urn:wrong")
    assert answer.status_code == 500 and b"SOAPAction" in answer.content
    with pytest.raises(rivta.SoapFault) as caught:
        rivta.parse_response(CONTRACT, answer.status_code, answer.content)
    assert caught.value.code == "Client" and "SOAPAction" in caught.value.text


def test_wsdl_is_served_and_a_zeep_client_reads_the_status(simulator, care_system, people):
    import zeep
    from zeep.transports import Transport

    wsdl = requests.get(f"{simulator.url}/inbox/GetMessageStatus/1/rivtabp21?wsdl", timeout=10)
    assert wsdl.status_code == 200
    assert f'location="{simulator.url}/inbox/GetMessageStatus/1/rivtabp21"'.encode() in wsdl.content
    pnr, bo = people["tolvan"], unique("rs")
    care_system.add_message(kallelse(pnr, bo))
    session = requests.Session()
    session.headers["x-rivta-original-serviceconsumer-hsaid"] = CONSUMER
    client = zeep.Client(
        f"{simulator.url}/inbox/GetMessageStatus/1/rivtabp21?wsdl", transport=Transport(session=session)
    )
    answer = client.service.GetMessageStatus(
        subjectOfCareId=pnr, businessObjectId=bo, _soapheaders={"LogicalAddress": "SE2321000016-MVK"}
    )
    assert answer.resultCode == "OK" and [m.caseReadStatus for m in answer.message] == ["Unread"]
