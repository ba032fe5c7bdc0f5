"""What both third-party clients send and what the tests expect back: the four
interactions a care system calls, each on its served WSDL, with the RIVTA LogicalAddress
SOAP header and the consumer HSA-id HTTP header."""

from __future__ import annotations

import requests

LOGICAL_ADDRESS = "5565594230"
CONSUMER = "SE2321000016-INTEROP"
CONSUMER_HEADER = "x-rivta-original-serviceconsumer-hsaid"
REGISTRY_NS = "urn:riv:itintegration:registry:1"
PERSONNUMMER_OID = "1.2.752.129.2.1.3.1"

# Seeded demo person (docs/population.md): adult, SMS notification, opted out of paper (CH-01).
TOLVAN = "191212121212"

WSDL_PATHS = {
    "AddMessage": "/inbox/AddMessage/2/rivtabp21?wsdl",
    "GetUserProfile": "/userprofile/GetUserProfile/2/rivtabp21?wsdl",
    "GetSubjectOfCare": "/userprofile/GetSubjectOfCare/2/rivtabp21?wsdl",
    "GetPersonsForProfile": "/pu/GetPersonsForProfile/5/rivtabp21?wsdl",
}

# Escaped by the client library on the wire: msg travels XML-entity-encoded (MC-02).
DOCBOOK = (
    "<article><info><title>Kallelse</title></info>"
    "<para>Välkommen till Fysiologen, 1 december kl 09.30.</para></article>"
)


def tolvan(base_url: str) -> dict:
    """The citizen as the control API has it: what the answers must agree with."""
    return requests.get(f"{base_url}/api/citizens/{TOLVAN}", timeout=10).json()


def stored_message(base_url: str, business_object_id: str) -> dict:
    """The one message an AddMessage call left, checked for what both clients send alike:
    the DocBook text round-trips, the headers reached the inbox."""
    inbox = requests.get(f"{base_url}/api/citizens/{TOLVAN}/inbox", timeout=10).json()
    [thread] = [t for t in inbox["threads"] if t["business_object_id"] == business_object_id]
    [stored] = thread["messages"]
    assert stored["msg"] == DOCBOOK and stored["docbook_ok"] is True
    assert (stored["logical_address"], stored["consumer"]) == (LOGICAL_ADDRESS, CONSUMER)
    return stored
