"""Answers the platform makes up on a producer's behalf, built from the contract itself.

A ``result_code`` behaviour answers with the contract's own response element carrying
resultCode ERROR or INFO and a resultText. Which elements that takes is read from the
responder schema (the path down to ``resultCode`` and every element the schema requires
on the way), never written out per contract; the result is validated against the same
schema before it is used. A contract whose response has no resultCode (PU's
GetPersonsForProfile) or whose codes exclude the one asked for is refused with a reason.
"""

from __future__ import annotations

import functools

import xmlschema
from lxml import etree

from contracts.bundle import Contract
from simulator.soap import envelope as soap

_DEPTH = 4


class Unsupported(ValueError):
    """The contract's response cannot carry what was asked for."""


def _children(element) -> list:
    content = getattr(element.type, "content", None)
    if content is None or element.type.is_simple() or not hasattr(content, "iter_elements"):
        return []
    return [c for c in content.iter_elements() if getattr(c, "name", None)]


def _path_to(element, local: str, depth: int = 0) -> list | None:
    """Schema elements from ``element`` (exclusive) down to the first ``local`` element."""
    for child in _children(element):
        if child.local_name == local:
            return [child]
        if depth < _DEPTH:
            rest = _path_to(child, local, depth + 1)
            if rest:
                return [child] + rest
    return None


@functools.cache
def _layout(responder_xsd: str, response_element: str):
    schema = xmlschema.XMLSchema(responder_xsd)
    root = schema.elements[response_element.split("}")[1]]
    path = _path_to(root, "resultCode")
    if path is None:
        return None
    parent = path[-2] if len(path) > 1 else root
    text = next((c for c in _children(parent) if c.local_name == "resultText"), None)
    codes = tuple(path[-1].type.enumeration or ()) if path[-1].type.is_simple() else ()
    blocking = [
        c.local_name
        for level, step in zip([root] + path[:-1], path, strict=False)
        for c in _children(level)
        if c.min_occurs and c.name != step.name
    ]
    return [c.name for c in path], text.name if text is not None else None, codes, blocking


def result_layout(contract: Contract):
    """(path of element names to resultCode, resultText name, allowed codes) or Unsupported."""
    layout = _layout(str(contract.responder_xsd), contract.response_element)
    if layout is None:
        raise Unsupported(f"{contract.interaction}Response has no resultCode: use a soap_fault action instead")
    path, text, codes, blocking = layout
    if blocking:
        raise Unsupported(
            f"{contract.interaction}Response requires {', '.join(blocking)} beside resultCode, "
            "which the platform cannot make up: use a soap_fault action instead"
        )
    return path, text, codes


def check_result_code(contract: Contract, code: str) -> None:
    _, _, codes = result_layout(contract)
    if codes and code not in codes:
        raise Unsupported(f"{contract.interaction}Response allows resultCode {', '.join(codes)}, not {code}")


def result_response(contract: Contract, code: str, text: str | None) -> etree._Element:
    """The contract's response element with ``code`` and ``text``, valid against the schema."""
    path, text_name, _ = result_layout(contract)
    root = etree.Element(contract.response_element)
    parent = root
    for name in path[:-1]:
        parent = etree.SubElement(parent, name)
    etree.SubElement(parent, path[-1]).text = code
    if text and text_name:
        etree.SubElement(parent, text_name).text = text
    if not contract.schema.validate(root):
        raise Unsupported(
            f"{contract.interaction}Response with resultCode {code} is not valid: "
            f"{contract.schema.error_log.last_error.message}"
        )
    return root


def sample_body(contract: Contract) -> bytes:
    """A whole response envelope to break on purpose (truncated / not well-formed):
    resultCode OK where the contract has one, else the bare response element."""
    try:
        payload = result_response(contract, "OK", None)
    except Unsupported:
        payload = etree.Element(contract.response_element)
    return soap.response(payload)
