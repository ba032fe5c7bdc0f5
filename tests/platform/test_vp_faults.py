"""NTjP's answers from a real ``kallelse serve --routing FILE``: every VP fault the
platform gives (VP002, VP003, VP004, VP007, VP009 unreachable and timeout), the
forgiving defaults without a file, checks switched off per contract, reloading the file
through the control API, and zeep — configured with the LogicalAddress SOAP header and the
consumer HTTP header — routed through to the producer."""

from __future__ import annotations

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from tests.inbox import wire
from tests.platform.support import (
    ADD_MESSAGE,
    CARE_SYSTEM,
    OTHER_SYSTEM,
    VP_ADDRESS,
    add_message,
    behaviour,
    fault,
    gate_sleeps,
    new_person,
    result_code,
    traffic,
    write_routing,
)
from tests.support import InProcessSimulator, SimulatorProcess, free_port

REGISTRY_NS = "urn:riv:itintegration:registry:1"
NAMESPACE = "urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2"
TOLVAN = "191212121212"

ROUTING = f"""
[platform]
instance = "NTjP-TEST"

[[routes]]
contract = "AddMessage"
logical_address = "{VP_ADDRESS}"

[[routes]]
contract = "AddMessage"
logical_address = "SE2321000016-DOWN"
upstream = "http://127.0.0.1:{{down_port}}/inbox/AddMessage/2/rivtabp21"

[[routes]]
contract = "AddMessage"
logical_address = "SE2321000016-SLOW"
timeout = 1

[[authorizations]]
consumer = "{CARE_SYSTEM}"
contract = "AddMessage"
logical_addresses = ["{VP_ADDRESS}", "SE2321000016-DOWN", "SE2321000016-SLOW"]

[checks.GetUserProfile]
routing = false
authorization = false
"""


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vp")
    routing = write_routing(folder, ROUTING.replace("{down_port}", str(free_port())))
    server = InProcessSimulator(folder / "sim", routing=routing).start()
    yield server
    server.stop()


def assert_vp(response, code: str, faultcode: str, *details: str) -> str:
    got_code, text = fault(response)
    assert got_code == f"soap:{faultcode}"
    assert text.startswith(f"{code} [NTjP-TEST] "), text
    for detail in details:
        assert detail in text, text
    return text


def test_routed_and_authorized_call_reaches_the_producer(platform):
    response = add_message(platform.url, new_person(platform))
    assert result_code(response) == "OK"


def test_vp003_without_the_logical_address_header(platform):
    response = add_message(platform.url, wire.new_pnr(), logical_address=None)
    assert_vp(
        response,
        "VP003",
        "Client",
        "No receiverId (logical address) found in message header",
        f"serviceNamespace: {NAMESPACE}",
    )
    response = add_message(platform.url, wire.new_pnr(), logical_address="")
    assert_vp(response, "VP003", "Client")


def test_vp004_for_an_address_without_a_route(platform):
    response = add_message(platform.url, wire.new_pnr(), logical_address="SE2321000016-NOWHERE")
    assert_vp(
        response,
        "VP004",
        "Client",
        "No receiverId (logical address) found for",
        f"serviceNamespace: {NAMESPACE}, receiverId: SE2321000016-NOWHERE",
    )


def test_vp007_for_a_consumer_without_authorization(platform):
    response = add_message(platform.url, wire.new_pnr(), consumer=OTHER_SYSTEM)
    assert_vp(
        response, "VP007", "Server", "Authorization missing for", f"receiverId: {VP_ADDRESS}, senderId: {OTHER_SYSTEM}"
    )


def test_vp002_when_no_consumer_identity_is_given(platform):
    response = add_message(platform.url, wire.new_pnr(), consumer=None)
    assert_vp(response, "VP002", "Client", "x-rivta-original-serviceconsumer-hsaid")


def test_vp009_when_the_producer_cannot_be_reached(platform):
    response = add_message(platform.url, wire.new_pnr(), logical_address="SE2321000016-DOWN")
    assert_vp(response, "VP009", "Server", "Error connecting to service producer at address http://127.0.0.1:")


def test_vp009_timeout_when_the_producer_is_slower_than_the_route_allows(platform, monkeypatch):
    slept = gate_sleeps(platform, monkeypatch)
    pnr = new_person(platform)
    behaviour(platform.url, {"match": {"personnummer": pnr}, "action": {"type": "delay", "ms": 3000}})
    response = add_message(platform.url, pnr, logical_address="SE2321000016-SLOW")
    text = assert_vp(response, "VP009", "Server", "Timeout when waiting on response from producer")
    assert ADD_MESSAGE in text
    assert slept == [1.0]  # gave up at the 1 s route timeout, not after the 3 s delay
    assert len(traffic(platform.url, personnummer=pnr)) == 1
    assert wire.inbox_store(platform).messages_for(pnr) == []  # the producer never ran
    # the same delay at an address with the default 29 s timeout is merely slow
    response = add_message(platform.url, pnr, logical_address=VP_ADDRESS)
    assert result_code(response) == "OK"
    assert slept == [1.0, 3.0]
    assert requests.delete(f"{platform.url}/api/behaviours", timeout=10).status_code == 200


def test_checks_switched_off_for_one_contract(platform):
    response = wire.ask_profile(platform.url, "GetUserProfile", TOLVAN)  # address not routed, consumer unlisted
    assert response.status_code == 200, response.text
    body = wire.envelope(
        f'<GetUserProfile xmlns="urn:mvk:itintegration:userprofile:GetUserProfileResponder:2">'
        f"<subjectOfCare>{TOLVAN}</subjectOfCare></GetUserProfile>"
    ).replace(wire.LOGICAL_ADDRESS, "")
    response = wire.post(
        platform.url,
        "/userprofile/GetUserProfile/2/rivtabp21",
        body,
        "urn:mvk:itintegration:userprofile:GetUserProfileResponder:2:GetUserProfile",
    )
    assert_vp(response, "VP003", "Client")  # the header itself is still required


def test_every_vp_fault_is_recorded_with_its_code(platform):
    codes = {r["fault_code"] for r in traffic(platform.url, outcome="platform_fault", limit=500)}
    assert {"VP002", "VP003", "VP004", "VP007", "VP009"} <= codes


def logical_address_header(value: str) -> etree._Element:
    element = etree.Element(f"{{{REGISTRY_NS}}}LogicalAddress")
    element.text = value
    return element


def zeep_client(url: str, consumer: str) -> zeep.Client:
    session = requests.Session()
    session.headers["x-rivta-original-serviceconsumer-hsaid"] = consumer
    return zeep.Client(f"{url}{ADD_MESSAGE}?wsdl", transport=Transport(session=session, timeout=30))


def test_zeep_with_the_headers_round_trips_through_routing(platform):
    pnr = new_person(platform)
    client = zeep_client(platform.url, CARE_SYSTEM)
    result = client.service.AddMessage(
        subjectOfCareId=pnr,
        message={"businessObjectId": "ZEEP-VP-1", "msg": "<article><para>Hej</para></article>"},
        notify=False,
        _soapheaders=[logical_address_header(VP_ADDRESS)],
    )
    assert result.resultCode == "OK", result.resultText
    [record] = traffic(platform.url, personnummer=pnr)
    assert (record["consumer"], record["logical_address"], record["route"]) == (CARE_SYSTEM, VP_ADDRESS, "builtin")
    assert record["business_object_id"] == "ZEEP-VP-1"


def test_zeep_without_the_header_gets_vp003(platform):
    client = zeep_client(platform.url, CARE_SYSTEM)
    with pytest.raises(zeep.exceptions.Fault) as error:
        client.service.AddMessage(subjectOfCareId=wire.new_pnr(), message={"msg": "<article/>"}, notify=False)
    assert error.value.message.startswith("VP003 [NTjP-TEST]")
    assert error.value.code == "soap:Client"


def test_zeep_at_an_unauthorized_address_gets_vp007(platform):
    client = zeep_client(platform.url, OTHER_SYSTEM)
    with pytest.raises(zeep.exceptions.Fault) as error:
        client.service.AddMessage(
            subjectOfCareId=wire.new_pnr(),
            message={"msg": "<article/>"},
            notify=False,
            _soapheaders=[logical_address_header(VP_ADDRESS)],
        )
    assert error.value.message.startswith("VP007 [NTjP-TEST]")


def test_without_a_routing_file_any_address_routes_and_every_consumer_is_authorized(simulator):
    response = add_message(simulator.url, new_person(simulator), logical_address="ANY-ADDRESS", consumer="SE-ANYONE")
    assert result_code(response) == "OK"
    response = add_message(simulator.url, wire.new_pnr(), logical_address=None)
    code, text = fault(response)
    assert code == "soap:Client" and text.startswith("VP003 [kallelse-testbed] ")
    routing = requests.get(f"{simulator.url}/api/platform/routing", timeout=10).json()
    assert routing["source"] is None and routing["routes"] == []


@pytest.mark.slow  # every worker process of a real server follows the reload
def test_reloading_the_routing_file(tmp_path):
    routing = write_routing(
        tmp_path,
        f"""
        [[routes]]
        contract = "AddMessage"
        logical_address = "{VP_ADDRESS}"
        [[authorizations]]
        consumer = "{CARE_SYSTEM}"
        contract = "AddMessage"
        logical_address = "{VP_ADDRESS}"
    """,
    )
    server = SimulatorProcess(tmp_path / "sim", extra_args=("--routing", str(routing))).start()
    try:
        assert fault(add_message(server.url, wire.new_pnr(), consumer=OTHER_SYSTEM))[1].startswith("VP007")
        text = (
            routing.read_text() + f'[[authorizations]]\nconsumer = "{OTHER_SYSTEM}"\ncontract = "AddMessage"\n'
            f'logical_address = "{VP_ADDRESS}"\n'
        )
        routing.write_text(text)
        answer = requests.post(f"{server.url}/api/platform/routing/reload", timeout=10)
        assert answer.status_code == 200 and answer.json()["changed"] is True
        for _ in range(6):  # every worker process follows
            assert result_code(add_message(server.url, new_person(server), consumer=OTHER_SYSTEM)) == "OK"
        routing.write_text(text.replace('contract = "AddMessage"', 'contract = "AddMesage"', 1))
        answer = requests.post(f"{server.url}/api/platform/routing/reload", timeout=10)
        assert answer.status_code == 400
        assert answer.json()["field"] == "routes[0].contract" and "AddMesage" in answer.json()["error"]
        assert result_code(add_message(server.url, new_person(server), consumer=OTHER_SYSTEM)) == "OK"  # kept
    finally:
        server.stop()


@pytest.mark.slow  # what `kallelse serve` prints when it refuses to start
def test_a_broken_routing_file_stops_the_server_with_the_reason(tmp_path):
    routing = write_routing(tmp_path, '[[routes]]\ncontract = "NoSuchContract"\nlogical_address = "X"\n')
    server = SimulatorProcess(tmp_path / "sim", extra_args=("--routing", str(routing)))
    with pytest.raises(RuntimeError):
        server.start(timeout=30)
    assert "routes[0].contract: unknown contract 'NoSuchContract'" in server.log()
    server.stop()
