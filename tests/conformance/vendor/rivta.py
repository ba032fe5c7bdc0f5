"""The vendor's RIVTA client: SOAP 1.1 over HTTP with the LogicalAddress header and its
consumer HSA-id. Element names and namespaces come from the contract files (contracts/),
as a vendor would generate them from the WSDL."""

from __future__ import annotations

import dataclasses

import requests
from lxml import etree

from contracts.bundle import builtin_bundle, secure_parser

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
ADDRESSING = "urn:riv:itintegration:registry:1"
PATHS = {
    "GetPersonsForProfile": "/pu/GetPersonsForProfile/5/rivtabp21",
    "GetUserProfile": "/userprofile/GetUserProfile/2/rivtabp21",
    "GetSubjectOfCare": "/userprofile/GetSubjectOfCare/2/rivtabp21",
    "AddMessage": "/inbox/AddMessage/2/rivtabp21",
    "GetMessageStatus": "/inbox/GetMessageStatus/1/rivtabp21",
}
CONTRACTS = builtin_bundle()
PARSER = secure_parser()


class Unavailable(Exception):
    """A SOAP Fault, an HTTP error or a timeout: the service did not answer usefully."""


@dataclasses.dataclass
class Payload:
    """A request body under construction: ``add(parent, name, text)`` in the responder or
    core namespace of the contract."""

    contract: str

    def __post_init__(self) -> None:
        c = CONTRACTS[self.contract]
        self.ns, self.core = c.responder_namespace, c.core_namespace
        self.root = etree.Element(c.request_element, nsmap={None: self.ns, "core": self.core})

    def add(self, parent, name: str, text=None, core: bool = False):
        element = etree.SubElement(
            self.root if parent is None else parent, f"{{{self.core if core else self.ns}}}{name}"
        )
        if text is not None:
            element.text = {True: "true", False: "false"}.get(text, str(text)) if isinstance(text, bool) else str(text)
        return element


def call(http: requests.Session, base: str, payload: Payload, logical_address: str, consumer: str):
    """The answer's payload element; Unavailable for a Fault or transport error."""
    contract = CONTRACTS[payload.contract]
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soapenv": SOAP})
    header = etree.SubElement(envelope, f"{{{SOAP}}}Header")
    etree.SubElement(header, f"{{{ADDRESSING}}}LogicalAddress", nsmap={"add": ADDRESSING}).text = logical_address
    etree.SubElement(envelope, f"{{{SOAP}}}Body").append(payload.root)
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{contract.soap_action}"',
        "x-rivta-original-serviceconsumer-hsaid": consumer,
    }
    try:
        answer = http.post(base + PATHS[payload.contract], data=etree.tostring(envelope), headers=headers, timeout=30)
        root = etree.fromstring(answer.content, PARSER)
    except (requests.RequestException, etree.XMLSyntaxError) as exc:
        raise Unavailable(f"{payload.contract}: {type(exc).__name__}") from None
    body = root.find(f"{{{SOAP}}}Body")
    if body is None or body.find(f"{{{SOAP}}}Fault") is not None or answer.status_code != 200:
        raise Unavailable(f"{payload.contract}: fault / HTTP {answer.status_code}")
    return next(iter(body))


def first(element, name: str):
    """The first descendant with this local name (None if absent)."""
    return next((e for e in element.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name), None)


def text(element, name: str) -> str:
    found = first(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def flag(element, name: str) -> bool:
    return text(element, name).lower() in ("true", "1")
