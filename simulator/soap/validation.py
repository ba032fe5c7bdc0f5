"""Schema validation of a request payload, with errors a vendor can act on: the element
path (with the contract's prefixes dropped) and the constraint that broke."""

from __future__ import annotations

import re

from lxml import etree

from simulator.soap.envelope import SoapFault

_CLARK = re.compile(r"\{(?:urn|https?):[^}]*\}")
_STEP = re.compile(r"^(?P<name>[\w.:*-]+)(?:\[(?P<index>\d+)\])?$")


def readable_path(payload: etree._Element, error) -> str:
    """Name the failing element by local names, ``/AddMessage/message/msg``.

    libxml2 reports a positional path whose steps depend on how the client bound its
    namespaces (``/urn:AddMessage/urn:message`` or ``/*/*[2]/msg``); walking it over the
    payload gives the same answer for every client."""
    steps = [s for s in (error.path or "").split("/") if s]
    element, names = payload, [etree.QName(payload).localname]
    for step in steps[1:]:
        match = _STEP.match(step)
        if element is None or not match:
            break
        local = match.group("name").rpartition(":")[2]
        index = int(match.group("index") or 1)
        children = [
            c for c in element if isinstance(c.tag, str) and (local == "*" or etree.QName(c).localname == local)
        ]
        element = children[index - 1] if len(children) >= index else None
        names.append(etree.QName(element).localname if element is not None else local)
    return "/" + "/".join(names)


def validate(schema: etree.XMLSchema, payload: etree._Element) -> None:
    """Raise a Client fault naming the first broken constraint."""
    if schema.validate(payload):
        return
    error = schema.error_log.last_error
    first = next(iter(schema.error_log), error)
    message = _CLARK.sub("", first.message)
    raise SoapFault(
        "Client", f"Schema validation failed at {readable_path(payload, first)}: {message}", rule_ids=("MC-01",)
    )
