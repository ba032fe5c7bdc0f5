"""SOAP bodies written by hand on purpose: the one place outside ``rivta`` (the client
library) and ``simulator/soap`` (the server) where an envelope is spelled out, as
tests/core/test_one_client.py enforces. None of these is a request a care system should
send, which is why the library does not build them:

* broken envelopes, to test that the producers answer them with the contract's fault:
  not SOAP at all, not well-formed (no Body end tag), SOAP 1.2 instead of 1.1, a DOCTYPE
  (WS-I BP R1008 forbids one), an entity reference only a DOCTYPE could define;
* a foreign spelling: a valid request as another vendor's SOAP stack writes it (its own
  prefixes, a prefixed LogicalAddress), which ``rivta`` never produces, so that the
  conformance suite's reader is tested against more than our own client's output.

Every well-formed request starts from ``rivta.envelope``; the helpers below break one of
its results in one named way, so a test says which rule it breaks and nothing else."""

from __future__ import annotations

import re

import rivta

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"

# Bodies a SOAP 1.1 endpoint must refuse with a Client fault: an Envelope in a made-up
# namespace without a Body, and one in no namespace at all.
NOT_SOAP11 = (
    b"<soapenv:Envelope xmlns:soapenv='x'/>",
    b"<?xml version='1.0'?><Envelope><Body/></Envelope>",
)

_ROOT_NAME = re.compile(rb"<([\w.:-]+)")
_BODY_END = re.compile(rb"</(?:[\w.-]+:)?Body>")


def without_body_end_tag(envelope: bytes) -> bytes:
    """Not well-formed XML: the Body's end tag left out."""
    cut, count = _BODY_END.subn(b"", envelope)
    assert count == 1, envelope[:200]
    return cut


def as_soap12(envelope: bytes) -> bytes:
    """The same request in the SOAP 1.2 envelope namespace (a VersionMismatch for 1.1)."""
    return envelope.replace(rivta.SOAP11_NS.encode(), SOAP12_NS.encode())


def with_doctype(envelope: bytes, subset: bytes = b"") -> bytes:
    """A DOCTYPE for the envelope's root after the XML declaration; ``subset`` is the
    internal subset, e.g. ``b' [<!ENTITY e "x">]'``."""
    declaration, rest = envelope.split(b"?>", 1) if envelope.startswith(b"<?xml") else (None, envelope)
    found = _ROOT_NAME.search(rest)
    assert found is not None, envelope[:200]
    doctype = b"<!DOCTYPE " + found.group(1) + subset + b">"
    return (declaration + b"?>" if declaration is not None else b"") + doctype + rest


def with_entity_reference(envelope: bytes, name: str) -> bytes:
    """``&name;`` in the first text of the Body's payload (before its first end tag)."""
    at = envelope.find(b"</", envelope.find(b"Body>"))
    return envelope[:at] + f"&{name};".encode() + envelope[at:]


def foreign_envelope(payload: str, logical_address: str) -> str:
    """A request as another vendor's SOAP stack writes it: ``soapenv`` for the envelope,
    a prefixed LogicalAddress, line breaks between the parts. Valid SOAP 1.1 and RIVTA,
    but a spelling ``rivta`` never produces."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
<soapenv:Header><urn:LogicalAddress xmlns:urn="urn:riv:itintegration:registry:1">{logical_address}</urn:LogicalAddress>
</soapenv:Header>
<soapenv:Body>{payload}</soapenv:Body></soapenv:Envelope>"""
