"""SOAP 1.1 envelopes: parse a request, build a response or a fault."""

from __future__ import annotations

import dataclasses

from lxml import etree

from contracts.bundle import secure_parser

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
LOGICAL_ADDRESS = "{urn:riv:itintegration:registry:1}LogicalAddress"

_PARSER = secure_parser()


class SoapFault(Exception):
    """A fault to return to the caller. ``code`` is the local part of the SOAP 1.1
    faultcode (Client, Server, VersionMismatch); ``text`` is the faultstring."""

    def __init__(self, code: str, text: str, rule_ids: tuple[str, ...] = ()):
        super().__init__(text)
        self.code = code
        self.text = text
        self.rule_ids = rule_ids


@dataclasses.dataclass
class Envelope:
    headers: list[etree._Element]
    payload: etree._Element

    def header_text(self, clark_name: str) -> str | None:
        for header in self.headers:
            if header.tag == clark_name:
                return (header.text or "").strip()
        return None

    @property
    def logical_address(self) -> str | None:
        return self.header_text(LOGICAL_ADDRESS)


def parse_request(body: bytes) -> Envelope:
    """Parse and check the envelope; raises SoapFault with what is wrong."""
    if not body:
        raise SoapFault("Client", "Empty request body: expected a SOAP 1.1 envelope")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Client", f"Request is not well-formed XML: {exc}") from None
    if root.tag == f"{{{SOAP12_NS}}}Envelope":
        raise SoapFault("VersionMismatch", f"SOAP 1.2 envelope received; RIVTA BP 2.1 uses SOAP 1.1 ({SOAP11_NS})")
    if root.tag != f"{{{SOAP11_NS}}}Envelope":
        raise SoapFault("Client", f"Root element {root.tag} is not a SOAP 1.1 Envelope ({{{SOAP11_NS}}}Envelope)")
    header = root.find(f"{{{SOAP11_NS}}}Header")
    body_el = root.find(f"{{{SOAP11_NS}}}Body")
    if body_el is None:
        raise SoapFault("Client", "SOAP Envelope has no Body")
    children = [c for c in body_el if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapFault("Client", f"SOAP Body must hold exactly one request element, found {len(children)}")
    headers = [h for h in header if isinstance(h.tag, str)] if header is not None else []
    return Envelope(headers=headers, payload=children[0])


def _envelope(content: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soap": SOAP11_NS})
    etree.SubElement(env, f"{{{SOAP11_NS}}}Body").append(content)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def response(payload: etree._Element) -> bytes:
    return _envelope(payload)


def fault(code: str, text: str) -> bytes:
    element = etree.Element(f"{{{SOAP11_NS}}}Fault", nsmap={"soap": SOAP11_NS})
    etree.SubElement(element, "faultcode").text = f"soap:{code}"
    etree.SubElement(element, "faultstring").text = text
    return _envelope(element)
