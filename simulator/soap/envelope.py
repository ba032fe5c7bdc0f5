"""SOAP 1.1 envelopes: parse a request, build a response or a fault."""

from __future__ import annotations

import dataclasses
import re
from xml.sax import saxutils

from lxml import etree

from contracts.bundle import secure_parser

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
LOGICAL_ADDRESS = "{urn:riv:itintegration:registry:1}LogicalAddress"
MUST_UNDERSTAND = f"{{{SOAP11_NS}}}mustUnderstand"
ACTOR = f"{{{SOAP11_NS}}}actor"
ACTOR_NEXT = "http://schemas.xmlsoap.org/soap/actor/next"
# Header blocks this node processes (SOAP 1.1 §4.2.3): a mustUnderstand="1" block of any
# other name is answered with a MustUnderstand fault instead of being silently ignored.
UNDERSTOOD = frozenset({LOGICAL_ADDRESS})
# Bounds that keep a hostile request from holding a worker: the fault text is cut to
# MAX_FAULT_TEXT characters; a request with more than MAX_ELEMENTS elements is refused
# before anything walks it (the largest contract request, 500 PU identities, has ~1,600).
MAX_FAULT_TEXT = 2000
MAX_ELEMENTS = 20_000

_PARSER = secure_parser()


class SoapFault(Exception):
    """A fault to return to the caller. ``code`` is the local part of the SOAP 1.1
    faultcode (Client, Server, VersionMismatch); ``text`` is the faultstring."""

    def __init__(self, code: str, text: str, rule_ids: tuple[str, ...] = ()):
        text = bounded(text)
        super().__init__(text)
        self.code = code
        self.text = text
        self.rule_ids = rule_ids


def bounded(text: str) -> str:
    """A fault text of bounded size: client-supplied parts (a tag name, a SOAPAction, a
    parser message quoting the input) may be megabytes long."""
    if len(text) <= MAX_FAULT_TEXT:
        return text
    return f"{text[: MAX_FAULT_TEXT - 30]}... ({len(text)} characters)"


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
    if body.count(b"<") > 2 * MAX_ELEMENTS:  # a C-speed upper bound on the element count
        raise SoapFault("Client", f"Request has too many elements: at most {MAX_ELEMENTS} are accepted")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Client", f"Request is not well-formed XML: {exc}") from None
    refuse_doctype(root)
    if root.tag == f"{{{SOAP12_NS}}}Envelope":
        raise SoapFault("VersionMismatch", f"SOAP 1.2 envelope received; RIVTA BP 2.1 uses SOAP 1.1 ({SOAP11_NS})")
    if root.tag != f"{{{SOAP11_NS}}}Envelope":
        raise SoapFault("Client", f"Root element {root.tag} is not a SOAP 1.1 Envelope ({{{SOAP11_NS}}}Envelope)")
    header, body_el = _header_and_body(root)
    if body_el is None:
        raise SoapFault("Client", "SOAP Envelope has no Body")
    children = [c for c in body_el.iterchildren(etree.Element)]
    if len(children) != 1:
        raise SoapFault("Client", f"SOAP Body must hold exactly one request element, found {len(children)}")
    headers = list(header.iterchildren(etree.Element)) if header is not None else []
    check_must_understand(headers)
    return Envelope(headers=headers, payload=children[0])


_HEADER, _BODY = f"{{{SOAP11_NS}}}Header", f"{{{SOAP11_NS}}}Body"


def _header_and_body(root: etree._Element) -> tuple[etree._Element | None, etree._Element | None]:
    """The envelope's first Header and first Body child (what ``find`` gives), in one pass
    over its children: a ``find`` parses its path on every call."""
    header = body = None
    for child in root.iterchildren(_HEADER, _BODY):
        if child.tag == _BODY:
            if body is None:
                body = child
        elif header is None:
            header = child
    return header, body


def refuse_doctype(root: etree._Element) -> None:
    """WS-I Basic Profile R1008: a SOAP message must not contain a DTD. Checked right
    after parsing (which neither loads nor expands anything), before any other code
    sees an entity reference (lxml's validator fails on them with "Internal error")."""
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise SoapFault("Client", "A SOAP message must not contain a DOCTYPE (WS-I Basic Profile R1008)")


def check_must_understand(headers: list[etree._Element]) -> None:
    """SOAP 1.1 §4.2.3: a header block for this node (no actor, or actor "next") with
    mustUnderstand="1" that this node does not process is answered with a MustUnderstand fault."""
    for header in headers:
        if header.get(MUST_UNDERSTAND, "").strip() not in ("1", "true"):
            continue
        if header.get(ACTOR, ACTOR_NEXT).strip() != ACTOR_NEXT or header.tag in UNDERSTOOD:
            continue
        raise SoapFault("MustUnderstand", f"Header {header.tag} is marked mustUnderstand but not understood here")


def _envelope(content: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soap": SOAP11_NS})
    etree.SubElement(env, f"{{{SOAP11_NS}}}Body").append(content)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


_HEAD = f"<?xml version='1.0' encoding='UTF-8'?>\n<soap:Envelope xmlns:soap=\"{SOAP11_NS}\"><soap:Body>".encode()
_TAIL = b"</soap:Body></soap:Envelope>"


def response(payload: etree._Element) -> bytes:
    """The payload (a response element that is the root of its own tree, as every producer
    builds it) in a SOAP 1.1 envelope: the bytes lxml writes for the envelope tree, but
    without building it. Appending the payload to an Envelope element moved it into
    another document, which walks the whole subtree to fix its namespace references, and
    the serializer then wrote the envelope around it anyway. The payload declares its own
    namespaces on its root, so on its own it serializes to the same bytes; an element
    inside a tree (its namespaces possibly declared above it) still goes the long way."""
    if payload.getparent() is not None:
        return _envelope(payload)
    return b"".join((_HEAD, etree.tostring(payload, encoding="UTF-8", xml_declaration=False), _TAIL))


def response_text(payload: bytes) -> bytes:
    """:func:`response` for a response element already written as UTF-8 text: the same
    bytes lxml writes around it."""
    return b"".join((_HEAD, payload, _TAIL))


# What lxml writes other than as it is (a carriage return as &#13;) or refuses (characters
# XML 1.0 forbids, lone surrogates): text with one of these is left to lxml.
_NOT_PLAIN = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def plain_text(text: str) -> str | None:
    """Element text as lxml serializes it (``&``, ``<`` and ``>`` escaped, quotes as they
    are), or None when lxml would write it differently or refuse it: a producer that
    writes its answer as text (:class:`simulator.soap.endpoint.TextAnswer`) then builds
    the tree instead, so the bytes are always lxml's."""
    if _NOT_PLAIN.search(text):
        return None
    return escape_text(text)


def escape_text(text: str) -> str:
    """Text content as lxml writes it: ``&``, ``<`` and ``>`` escaped, quotes as they are
    (the replaces only when needed: most values have none of the three)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


# (qualified name, value) of an element written as text: ``core:x`` for the core
# namespace; a value None is left out, a list holds the element's own parts, a bool is
# written true/false, anything else as ``str()``.
Part = tuple[str, object]
_QUOTE = {'"': "&quot;"}


def written_element(element: str, namespace: str, core: str, parts: list[Part]) -> bytes | None:
    """The element (Clark name in ``namespace``) with its ``parts`` as the UTF-8 text lxml
    writes for the same tree built with ``nsmap={None: namespace, "core": core}``; None if
    a value needs lxml (:func:`plain_text`) or the two namespaces are one (lxml would pick
    the prefix). Empty elements are ``<name/>``, as lxml writes them."""
    if namespace == core:
        return None
    local = element.rpartition("}")[2]
    out = [start_tag(local, namespace, core)]
    if not _write(out, parts):
        return None
    out.append(f"</{local}>")
    return "".join(out).encode()


def start_tag(local: str, namespace: str, core: str) -> str:
    """The start tag lxml writes for a root element ``local`` of ``namespace`` built with
    ``nsmap={None: namespace, "core": core}``."""
    return f'<{local} xmlns="{_attribute(namespace)}" xmlns:core="{_attribute(core)}">'


def _attribute(value: str) -> str:
    """An attribute value in double quotes as lxml writes it (a namespace name: no markup
    characters as a rule, so the escaping is skipped when there is nothing to escape)."""
    return saxutils.escape(value, _QUOTE) if any(c in value for c in '&<>"') else value


def _write(out: list[str], parts: list[Part]) -> bool:
    for name, value in parts:
        if value is None:
            continue
        if isinstance(value, list):
            inner: list[str] = []
            if not _write(inner, value):
                return False
            out.append(f"<{name}>{''.join(inner)}</{name}>" if inner else f"<{name}/>")
            continue
        text = plain_text(_value_text(value))
        if text is None:
            return False
        out.append(f"<{name}>{text}</{name}>")
    return True


def _value_text(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def grown_element(element: str, namespace: str, core: str, parts: list[Part]) -> etree._Element:
    """The same element as a tree built with lxml (``nsmap={None: namespace, "core":
    core}``): what :func:`written_element` writes as text, for the values it leaves to lxml."""
    root = etree.Element(element, nsmap={None: namespace, "core": core})
    _grow(root, namespace, core, parts)
    return root


def _grow(parent: etree._Element, namespace: str, core: str, parts: list[Part]) -> None:
    for name, value in parts:
        if value is None:
            continue
        prefix, _, local = name.rpartition(":")
        child = etree.SubElement(parent, f"{{{core if prefix else namespace}}}{local}")
        if isinstance(value, list):
            _grow(child, namespace, core, value)
        else:
            child.text = _value_text(value)


def fault(code: str, text: str) -> bytes:
    element = etree.Element(f"{{{SOAP11_NS}}}Fault", nsmap={"soap": SOAP11_NS})
    etree.SubElement(element, "faultcode").text = f"soap:{code}"
    etree.SubElement(element, "faultstring").text = text
    return _envelope(element)


def platform_fault(code: str, text: str, detail: str) -> bytes:
    """A fault in the shape the national service platform sends it: an empty Header, and
    the detail repeated in ``<detail>`` (simulator/platform/faults.py says whose words)."""
    element = etree.Element(f"{{{SOAP11_NS}}}Fault", nsmap={"soap": SOAP11_NS})
    etree.SubElement(element, "faultcode").text = f"soap:{code}"
    etree.SubElement(element, "faultstring").text = text
    etree.SubElement(element, "detail").text = detail
    env = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soap": SOAP11_NS})
    etree.SubElement(env, f"{{{SOAP11_NS}}}Header")
    etree.SubElement(env, f"{{{SOAP11_NS}}}Body").append(element)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")
