"""zeep, the Python SOAP client care-system integrators use, built from the WSDL the
simulator serves: all four interactions, parsed answers checked against the population
and the stored inbox (MC-01: every call carries the LogicalAddress header)."""

from __future__ import annotations

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from tests.interop.calls import (
    CONSUMER,
    CONSUMER_HEADER,
    DOCBOOK,
    LOGICAL_ADDRESS,
    PERSONNUMMER_OID,
    REGISTRY_NS,
    TOLVAN,
    WSDL_PATHS,
    stored_message,
    tolvan,
)


def logical_address() -> etree._Element:
    element = etree.Element(f"{{{REGISTRY_NS}}}LogicalAddress")
    element.text = LOGICAL_ADDRESS
    return element


@pytest.fixture(scope="module")
def clients(simulator):
    session = requests.Session()
    session.headers[CONSUMER_HEADER] = CONSUMER
    transport = Transport(session=session, timeout=30, operation_timeout=30)
    return {name: zeep.Client(f"{simulator.url}{path}", transport=transport) for name, path in WSDL_PATHS.items()}


def test_the_served_wsdl_points_zeep_at_the_server(clients, simulator):
    for name, client in clients.items():
        port = next(iter(next(iter(client.wsdl.services.values())).ports.values()))
        assert port.binding_options["address"].startswith(simulator.url), name
        assert name in port.binding._operations


def test_add_message(clients, simulator):
    result = clients["AddMessage"].service.AddMessage(
        subjectOfCareId=TOLVAN,
        message={
            "caseType": {"caseTypeDescription": "Kallelse"},
            "healthCareFacility": {"hsaId": "SE2321000016-F1", "healthCareFacilityName": "Fysiologen"},
            "booking": {"bookingId": "ZEEP-B1", "isInvitation": True, "bookingDate": "2026-12-01T09:30:00"},
            "businessObjectId": "ZEEP-1",
            "headerText": "Kallelse till arbetsprov",
            "msg": DOCBOOK,
        },
        notify=True,
        sourceSystem=CONSUMER,
        _soapheaders=[logical_address()],
    )
    assert result.resultCode == "OK", result.resultText
    stored = stored_message(simulator.url, "ZEEP-1")
    assert stored["booking"]["booking_id"] == "ZEEP-B1" and stored["facility"]["name"] == "Fysiologen"
    assert result.message is None or result.message.businessObjectId in (None, "ZEEP-1")


def test_get_user_profile(clients, simulator):
    result = clients["GetUserProfile"].service.GetUserProfile(subjectOfCare=TOLVAN, _soapheaders=[logical_address()])
    account = tolvan(simulator.url)["account"]
    assert result.resultCode == "OK"
    assert result.isActive is True
    assert result.userProfile.subjectOfCareId == TOLVAN
    assert result.userProfile.hasSmsNotification is account["sms_notification"] is True
    assert result.userProfile.hasMailNotification is account["email_notification"]
    assert result.userProfile.mobilePhoneNumber == account["mobile"]


def test_get_subject_of_care(clients, simulator):
    result = clients["GetSubjectOfCare"].service.GetSubjectOfCare(
        subjectOfCare=TOLVAN, _soapheaders=[logical_address()]
    )
    person = tolvan(simulator.url)
    assert result.resultCode == "OK"
    assert result.subjectOfCare.subjectOfCareId == TOLVAN
    assert result.subjectOfCare.lastName == person["surname"] == "Tolvansson"
    assert "Tolvan" in result.subjectOfCare.firstName
    assert result.subjectOfCare.city == person["address"]["city"]


def test_get_persons_for_profile(clients, simulator):
    unknown = "195001019990"
    result = clients["GetPersonsForProfile"].service.GetPersonsForProfile(
        personId=[{"root": PERSONNUMMER_OID, "extension": TOLVAN}, {"root": PERSONNUMMER_OID, "extension": unknown}],
        profile="P3",
        ignoreReferredIdentity=False,
        _soapheaders=[logical_address()],
    )
    records = result if isinstance(result, list) else result.requestedPersonRecord
    assert [r.requestedPersonalIdentity.extension for r in records] == [TOLVAN, unknown]
    found, missing = records
    assert found.personRecord.personalIdentity.extension == TOLVAN
    assert found.personRecord.name.surname == "Tolvansson"
    assert found.personRecord.optoutPaperNotification is tolvan(simulator.url)["optout_paper"] is True
    assert missing.personRecord is None  # TKB-PU rule #1: one answer per asked identity, empty when unknown


def test_a_call_without_the_logical_address_is_a_soap_fault(clients):
    """MC-01 / VP003: zeep surfaces the platform's fault as zeep.exceptions.Fault."""
    with pytest.raises(zeep.exceptions.Fault) as fault:
        clients["GetUserProfile"].service.GetUserProfile(subjectOfCare=TOLVAN)
    assert fault.value.message
