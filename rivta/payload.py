"""Request payloads from the contract's element names, and readers for answers.

RIVTA responder schemas qualify the request element's own children with the responder
namespace and everything inside a core type with the core namespace; ``build`` follows
that rule, so a caller names elements only, in XSD order."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from lxml import etree

from contracts.bundle import Contract


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: etree._Element, namespace: str, fields: Mapping[str, Any], inner: str) -> None:
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            child = etree.SubElement(parent, f"{{{namespace}}}{name}")
            if isinstance(item, Mapping):
                _fill(child, inner, item, inner)
            else:
                child.text = _text(item)


def build(contract: Contract, fields: Mapping[str, Any]) -> etree._Element:
    """The contract's request element. ``fields`` maps element names to text (str, bool,
    number), to a mapping for a structured element, or to a list for a repeated one;
    None leaves an element out."""
    ns, core = contract.responder_namespace, contract.core_namespace
    nsmap = {None: ns} if core == ns else {None: ns, "core": core}
    payload = etree.Element(contract.request_element, nsmap=nsmap)
    _fill(payload, ns, fields, core)
    return payload


def local_find(element: etree._Element | None, *path: str) -> etree._Element | None:
    """Find by local names, whatever the namespaces (answers from other producers may
    qualify children differently; a consumer only cares about the names)."""
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


@dataclasses.dataclass(frozen=True)
class Result:
    """The ResultType of an answer: ``code`` OK/INFO/ERROR ("" when the answer has none)."""

    code: str
    text: str


def result(answer: etree._Element) -> Result:
    return Result(local_text(answer, "resultCode"), local_text(answer, "resultText"))
