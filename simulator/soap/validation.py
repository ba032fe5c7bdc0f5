"""Schema validation of a request payload, with errors a vendor can act on: the element
path (with the contract's prefixes dropped) and the constraint that broke."""
from __future__ import annotations

import re

from lxml import etree

from simulator.soap.envelope import SoapFault

_CLARK = re.compile(r"\{[^}]*\}")


def readable_path(payload: etree._Element, error) -> str:
    """Turn libxml2's positional path into ``/AddMessage/message/msg`` style."""
    try:
        tree = etree.ElementTree(payload)
        found = tree.xpath(error.path) if error.path else []
    except etree.XPathError:
        found = []
    if found and isinstance(found[0], etree._Element):
        element = found[0]
        names = []
        while element is not None:
            names.append(etree.QName(element).localname)
            element = element.getparent()
        return "/" + "/".join(reversed(names))
    return error.path or "/"


def validate(schema: etree.XMLSchema, payload: etree._Element) -> None:
    """Raise a Client fault naming the first broken constraint."""
    if schema.validate(payload):
        return
    error = schema.error_log.last_error
    first = next(iter(schema.error_log), error)
    message = _CLARK.sub("", first.message)
    raise SoapFault("Client", f"Schema validation failed at {readable_path(payload, first)}: {message}",
                    rule_ids=("MC-01",))
