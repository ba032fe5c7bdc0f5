"""The vendor's RIVTA calls: its request bodies, built from the contract files' element
names and namespaces (as a vendor would generate them from the WSDL), sent through the
repository's one RIVTA client library (``rivta``: envelope, LogicalAddress header, consumer
header, faults). The library is transport, not kallelse logic, so the vendor stays
independent of the reference engine."""

from __future__ import annotations

import dataclasses

import requests
from lxml import etree

from contracts.bundle import builtin_bundle
from rivta import Endpoint, RivtaClient, RivtaError

PATHS = {
    "GetPersonsForProfile": "/pu/GetPersonsForProfile/5/rivtabp21",
    "GetUserProfile": "/userprofile/GetUserProfile/2/rivtabp21",
    "GetSubjectOfCare": "/userprofile/GetSubjectOfCare/2/rivtabp21",
    "AddMessage": "/inbox/AddMessage/2/rivtabp21",
    "GetMessageStatus": "/inbox/GetMessageStatus/1/rivtabp21",
}
CONTRACTS = builtin_bundle()


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
    """The answer's payload element; Unavailable for a Fault, an HTTP error or a timeout."""
    endpoint = Endpoint(CONTRACTS[payload.contract], base + PATHS[payload.contract], logical_address)
    try:
        return RivtaClient(consumer, session=http).call(endpoint, payload.root)
    except RivtaError as exc:
        raise Unavailable(str(exc)) from None


def first(element, name: str):
    """The first descendant with this local name (None if absent)."""
    return next((e for e in element.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name), None)


def text(element, name: str) -> str:
    found = first(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def flag(element, name: str) -> bool:
    return text(element, name).lower() in ("true", "1")
