"""A third-party SOAP stack (zeep) generates its client from the WSDL the simulator serves
and calls AddMessage, GetUserProfile and GetSubjectOfCare: what a vendor's tooling sees."""

from __future__ import annotations

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.transports import Transport

from tests.inbox import wire


def client(server, path: str) -> Client:
    session = requests.Session()
    session.headers["x-rivta-original-serviceconsumer-hsaid"] = wire.CONSUMER
    return Client(f"{server.url}{path}?wsdl", transport=Transport(session=session), settings=Settings(strict=True))


def logical_address() -> etree._Element:
    element = etree.Element("{urn:riv:itintegration:registry:1}LogicalAddress")
    element.text = wire.LOGICAL_ADDRESS
    return element


def test_zeep_add_message_and_read_the_echo(server):
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(wire.person(pnr))
    zeep = client(server, "/inbox/AddMessage/2/rivtabp21")
    msg = "<article><info><title>Kallelse</title></info><para>Välkommen</para></article>"
    result = zeep.service.AddMessage(
        subjectOfCareId=pnr,
        message={
            "caseType": {"caseTypeDescription": "Kallelse"},
            "businessObjectId": "ZEEP-1",
            "healthCareFacility": {"hsaId": "SE1", "healthCareFacilityName": "Kliniken"},
            "msg": msg,
        },
        notify=True,
        sourceSystem="SE2321000065-7331",
        _soapheaders=[logical_address()],
    )
    assert result.resultCode == "OK"
    assert result.message.msg == msg
    assert result.message.caseReadStatus == "Unread"
    assert result.message.healthCareFacility.healthCareFacilityName == "Kliniken"
    assert result.message.id is None and result.message.booking is None
    [row] = wire.inbox_store(server).messages_for(pnr)
    assert row["msg"] == msg and row["business_object_id"] == "ZEEP-1"


def test_zeep_get_user_profile_and_subject_of_care(server):
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(wire.person(pnr))
    profile = client(server, "/userprofile/GetUserProfile/2/rivtabp21").service.GetUserProfile(
        subjectOfCare=pnr, _soapheaders=[logical_address()]
    )
    assert (profile.resultCode, profile.isActive) == ("OK", True)
    assert profile.userProfile.hasSmsNotification is True
    subject = client(server, "/userprofile/GetSubjectOfCare/2/rivtabp21").service.GetSubjectOfCare(
        subjectOfCare=pnr, _soapheaders=[logical_address()]
    )
    assert subject.resultCode == "OK"
    assert subject.subjectOfCare.firstName == "Anna /Maria/"
