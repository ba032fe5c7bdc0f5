"""The care system's side of RIVTA BP 2.1: SOAP 1.1 requests built with lxml from the
loaded contracts (element names, namespaces and SOAPAction come from the WSDL/XSD files),
sent with the ``LogicalAddress`` header and ``x-rivta-original-serviceconsumer-hsaid``.

A technical failure (SOAP Fault, timeout, HTTP error) raises ``Unavailable``: LK-03 and
LK-04 decide what the engine does about it. Logical answers (resultCode) are returned."""

from __future__ import annotations

import dataclasses
import logging

import requests
from lxml import etree

from contracts.bundle import Contract, secure_parser
from simulator.soap.envelope import LOGICAL_ADDRESS, SOAP11_NS

log = logging.getLogger(__name__)
XS = "{http://www.w3.org/2001/XMLSchema}"
_PARSER = secure_parser()


class Unavailable(Exception):
    """The service did not give a usable answer; ``fault`` is True for a SOAP Fault."""

    def __init__(self, reason: str, fault: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.fault = fault


def envelope(payload: etree._Element, logical_address: str) -> bytes:
    root = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soapenv": SOAP11_NS})
    header = etree.SubElement(root, f"{{{SOAP11_NS}}}Header")
    etree.SubElement(header, LOGICAL_ADDRESS, nsmap={"urn": LOGICAL_ADDRESS[1:].split("}")[0]}).text = logical_address
    etree.SubElement(root, f"{{{SOAP11_NS}}}Body").append(payload)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@dataclasses.dataclass
class Endpoint:
    contract: Contract
    url: str
    logical_address: str


class RivtaClient:
    """One HTTP session per process; ``consumer`` is the care system's HSA-id."""

    def __init__(self, consumer: str, timeout: float):
        self.consumer = consumer
        self.timeout = timeout
        self.session = requests.Session()

    def call(self, endpoint: Endpoint, payload: etree._Element) -> etree._Element:
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{endpoint.contract.soap_action}"',
            "x-rivta-original-serviceconsumer-hsaid": self.consumer,
        }
        try:
            response = self.session.post(
                endpoint.url, data=envelope(payload, endpoint.logical_address), headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise Unavailable(f"{endpoint.contract.interaction}: {type(exc).__name__}") from None
        return parse_response(endpoint.contract, response.status_code, response.content)


def parse_response(contract: Contract, status: int, body: bytes) -> etree._Element:
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        raise Unavailable(f"{contract.interaction}: HTTP {status}, not a SOAP answer") from None
    fault = root.find(f"{{{SOAP11_NS}}}Body/{{{SOAP11_NS}}}Fault")
    if fault is not None:
        raise Unavailable(
            f"{contract.interaction}: SOAP Fault {fault.findtext('faultcode', '').strip()}: "
            f"{fault.findtext('faultstring', '').strip()[:200]}",
            fault=True,
        )
    payload = root.find(f"{{{SOAP11_NS}}}Body/{contract.response_element}")
    if status != 200 or payload is None:
        raise Unavailable(f"{contract.interaction}: HTTP {status} without {contract.response_element}")
    return payload


def sub(parent: etree._Element, namespace: str, name: str, text=None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = (
            text if isinstance(text, str) else ("true" if text is True else "false" if text is False else str(text))
        )
    return element


def local_find(element: etree._Element | None, *path: str) -> etree._Element | None:
    """Find by local names, whatever the namespaces (answers from other producers may
    qualify children differently; the engine only cares about the names)."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name), None)
    return element


def local_text(element: etree._Element | None, *path: str) -> str:
    found = local_find(element, *path)
    return (found.text or "").strip() if found is not None else ""


def local_bool(element: etree._Element | None, *path: str) -> bool:
    return local_text(element, *path).lower() in ("true", "1")
