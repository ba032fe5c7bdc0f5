"""Schema validation of a request payload, with errors a vendor can act on: the element
path (with the contract's prefixes dropped) and the constraint that broke."""
from __future__ import annotations

import re

from lxml import etree

from simulator.soap.envelope import SoapFault

_CLARK = re.compile(r"\{[^}]*\}")
_PREFIX = re.compile(r"(?<=/)[\w.-]+:")


def readable_path(error) -> str:
    """libxml2 reports ``/urn:AddMessage/urn:message/urn1:msg``; show ``/AddMessage/message/msg``."""
    return _PREFIX.sub("", error.path or "/")


def validate(schema: etree.XMLSchema, payload: etree._Element) -> None:
    """Raise a Client fault naming the first broken constraint."""
    if schema.validate(payload):
        return
    error = schema.error_log.last_error
    first = next(iter(schema.error_log), error)
    message = _CLARK.sub("", first.message)
    raise SoapFault("Client", f"Schema validation failed at {readable_path(first)}: {message}",
                    rule_ids=("MC-01",))
