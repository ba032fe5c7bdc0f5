"""The four SOAP calls a vendor's care system makes, as bytes ready to POST through the
simulated platform: the RIVTA ``LogicalAddress`` header in the envelope and the
``x-rivta-original-serviceconsumer-hsaid`` HTTP header. Payloads are built by the same
builders the trainer demo and the dispatch core use (``rivta``: one way to speak each
contract), from the loaded contracts, so namespaces and SOAPActions are never restated here."""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from lxml import etree

import rivta
from contracts.bundle import ContractBundle, builtin_bundle
from rivta import Kallelse

CONSUMER = "SE2321000016-LOAD1"  # the load-testing care system's HSA-id
LOGICAL_ADDRESSES = {
    "AddMessage": "SE2321000016-MVK",
    "GetUserProfile": "SE2321000016-MVK",
    "GetMessageStatus": "SE2321000016-MVK",
    "GetPersonsForProfile": "SE165565594230-1000",
}
PATHS = {
    "AddMessage": "/inbox/AddMessage/2/rivtabp21",
    "GetUserProfile": "/userprofile/GetUserProfile/2/rivtabp21",
    "GetMessageStatus": "/inbox/GetMessageStatus/1/rivtabp21",
    "GetPersonsForProfile": "/pu/GetPersonsForProfile/5/rivtabp21",
}
_RESULT = re.compile(rb"<(?:[\w.-]+:)?resultCode>\s*(\w+)\s*</")
_FAULT = re.compile(rb"<(?:[\w.-]+:)?Fault[ >]")


@dataclasses.dataclass(frozen=True)
class Request:
    """One SOAP call: path, body, headers; ``name`` is what locust reports it as."""

    name: str
    path: str
    body: bytes
    headers: dict


@lru_cache(maxsize=1)
def contracts() -> ContractBundle:
    return builtin_bundle(None)


def _request(interaction: str, payload: etree._Element, consumer: str) -> Request:
    return Request(
        interaction,
        PATHS[interaction],
        rivta.envelope(payload, LOGICAL_ADDRESSES[interaction]),
        rivta.http_headers(contracts()[interaction], consumer),
    )


def add_message(kallelse: Kallelse, consumer: str = CONSUMER) -> Request:
    return _request("AddMessage", rivta.add_message(contracts()["AddMessage"], kallelse), consumer)


def get_user_profile(personnummer: str, consumer: str = CONSUMER) -> Request:
    return _request("GetUserProfile", rivta.get_user_profile(contracts()["GetUserProfile"], personnummer), consumer)


def get_message_status(personnummer: str, business_object_id: str, consumer: str = CONSUMER) -> Request:
    payload = rivta.get_message_status(contracts()["GetMessageStatus"], personnummer, business_object_id)
    return _request("GetMessageStatus", payload, consumer)


def get_persons_for_profile(personnummer: list[str], profile: str = "P3", consumer: str = CONSUMER) -> Request:
    """1-500 identities in one call (the contract's maximum), each with its IIType root."""
    payload = rivta.get_persons_for_profile(contracts()["GetPersonsForProfile"], personnummer, profile)
    return _request("GetPersonsForProfile", payload, consumer)


def result_code(status: int, body: bytes) -> str:
    """OK / INFO / ERROR from the answer, ``FAULT`` for a SOAP Fault, ``HTTP <n>`` else.
    A regular expression, not a parse: the load generator's CPU is part of the budget."""
    if _FAULT.search(body[:2000]):
        return "FAULT"
    found = _RESULT.search(body)
    if status == 200 and found:
        return found.group(1).decode()
    return f"HTTP {status}"


def person_records(body: bytes) -> int:
    """How many requestedPersonRecord answers a GetPersonsForProfile answer holds."""
    return len(re.findall(rb"<(?:[\w.-]+:)?requestedPersonRecord[ >]", body))
