"""The SOAP 1.1 envelope a RIVTA consumer sends: the payload in the Body, the
``LogicalAddress`` header (RIVTA BP 2.1: the receiver the platform routes to), and the HTTP
headers (SOAPAction from the contract, the original consumer's HSA-id)."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from contracts.bundle import Contract

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
REGISTRY_NS = "urn:riv:itintegration:registry:1"
LOGICAL_ADDRESS = f"{{{REGISTRY_NS}}}LogicalAddress"
CONSUMER_HEADER = "x-rivta-original-serviceconsumer-hsaid"
# never fetches or expands anything; keeps CDATA sections as written (a test may send one)
# huge_tree: a client builds what its caller gives it (a test sends a body past the server's
# 10 MB limit on purpose); limits are the receiver's to enforce, entities and network stay off.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, strip_cdata=False, huge_tree=True)


def logical_address_header(logical_address: str) -> etree._Element:
    """The ``LogicalAddress`` header block alone, for a caller whose SOAP stack builds the
    envelope itself (zeep's ``_soapheaders``) or that marks the block (mustUnderstand)."""
    header = etree.Element(LOGICAL_ADDRESS, nsmap={None: REGISTRY_NS})
    header.text = logical_address
    return header


def envelope(
    payload: etree._Element | str | bytes,
    logical_address: str | None,
    headers: Sequence[etree._Element] = (),
) -> bytes:
    """The request as bytes. ``payload`` is the request element, or its XML text (tests
    write payloads as text to send exactly what they mean, valid or not, but the envelope
    still comes from here). ``logical_address=None`` leaves the header out (VP003 tests).
    ``headers`` are further header blocks after it (a consumer's own, e.g. a trace id)."""
    if not isinstance(payload, etree._Element):
        payload = etree.fromstring(payload.encode("utf-8") if isinstance(payload, str) else payload, _PARSER)
    root = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soap": SOAP11_NS})
    blocks = ([logical_address_header(logical_address)] if logical_address is not None else []) + list(headers)
    if blocks:
        etree.SubElement(root, f"{{{SOAP11_NS}}}Header").extend(blocks)
    etree.SubElement(root, f"{{{SOAP11_NS}}}Body").append(payload)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def http_headers(contract: Contract | None, consumer: str | None, soap_action: str | None = None) -> dict[str, str]:
    """Content-Type, the quoted SOAPAction (the contract's unless ``soap_action`` is given)
    and the consumer header (left out when ``consumer`` is None or empty)."""
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    action = soap_action if soap_action is not None else (contract.soap_action if contract else None)
    if action is not None:
        headers["SOAPAction"] = f'"{action}"'
    if consumer:
        headers[CONSUMER_HEADER] = consumer
    return headers
