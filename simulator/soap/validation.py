"""Schema validation of a request payload, with errors a vendor can act on: the element
path (with the contract's prefixes dropped) and the constraint that broke."""

from __future__ import annotations

import itertools
import re

from lxml import etree

from simulator.soap.envelope import SoapFault

_CLARK = re.compile(r"\{(?:urn|https?):[^}]*\}")
MAX_STEPS = 64  # deeper than any contract; libxml2 limits depth to 256 anyway
_STEP = re.compile(r"^(?P<name>[\w.:*-]+)(?:\[(?P<index>\d+)\])?$")


def readable_path(payload: etree._Element, error) -> str:
    """Name the failing element by local names, ``/AddMessage/message/msg``.

    libxml2 reports a positional path whose steps depend on how the client bound its
    namespaces (``/urn:AddMessage/urn:message`` or ``/*/*[2]/msg``); walking it over the
    payload gives the same answer for every client. The walk stays in lxml's C code (a
    tag-filtered child iterator, skipped to the index), so a step like ``personId[2500000]``
    costs milliseconds, not a Python loop over every sibling."""
    steps = [s for s in (error.path or "").split("/") if s][1:MAX_STEPS]
    element, names = payload, [etree.QName(payload).localname]
    for step in steps:
        match = _STEP.match(step)
        if element is None or not match:
            break
        local = match.group("name").rpartition(":")[2]
        index = int(match.group("index") or 1)
        children = element.iterchildren(etree.Element if local == "*" else f"{{*}}{local}")
        element = next(itertools.islice(children, index - 1, None), None)
        names.append(etree.QName(element).localname if element is not None else local)
    return "/" + "/".join(names)


def validate(schema: etree.XMLSchema, payload: etree._Element) -> None:
    """Raise a Client fault naming the first broken constraint."""
    try:
        if schema.validate(payload):
            return
    except etree.XMLSchemaValidateError as exc:  # libxml2 gave up on this input
        raise SoapFault("Client", f"Request cannot be validated against the contract: {exc}", ("MC-01",)) from None
    error = schema.error_log.last_error
    first = next(iter(schema.error_log), error)
    message = _CLARK.sub("", first.message)
    raise SoapFault(
        "Client", f"Schema validation failed at {readable_path(payload, first)}: {message}", rule_ids=("MC-01",)
    )
