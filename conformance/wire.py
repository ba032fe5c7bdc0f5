"""Reading what a vendor sent, from the request bodies the simulator recorded: the
envelope's LogicalAddress header, the payload re-validated against the contract schema
(MC-01), and the AddMessage fields the MC rules judge. Elements are found by local name,
so any conforming namespace prefixing reads the same. The SOAP 1.1 and RIVTA names are
the client library's (``rivta``), the same a care system's requests are built with."""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from lxml import etree

from contracts.bundle import ContractBundle, builtin_bundle, secure_parser
from rivta import LOGICAL_ADDRESS, SOAP11_NS
from simulator.inbox import docbook
from simulator.population.personnummer import CONTRACT_FORM, TWELVE_DIGITS, has_valid_check_digit

HSA_ID = re.compile(r"^[A-Z]{2}[0-9]{10}-[A-Za-z0-9]+$")
PU_PROFILES_P3_UP = ("P3", "P4", "P5")
_PARSER = secure_parser()


@lru_cache(maxsize=1)
def bundle() -> ContractBundle:
    return builtin_bundle()


def local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def find(element, *path: str):
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if local(c) == name), None)
    return element


def text(element, *path: str) -> str | None:
    found = find(element, *path)
    return None if found is None else (found.text or "").strip()


@dataclasses.dataclass
class Request:
    """One recorded request, parsed."""

    record: dict
    payload: etree._Element | None = None
    logical_address: str | None = None
    error: str | None = None

    @property
    def contract(self) -> str:
        return self.record["contract"]

    @property
    def at(self) -> str:
        return self.record.get("time", "")

    @property
    def body(self) -> str:
        return self.record.get("request_body") or ""

    def xsd_errors(self) -> list[str]:
        """MC-01: the payload against the contract's own schema (as the simulator serves it)."""
        if self.payload is None:
            return [self.error or "no SOAP Body payload"]
        try:
            schema = bundle()[self.contract].schema
        except KeyError:
            return []
        if schema.validate(etree.ElementTree(self.payload)):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log][:10]

    def subjects(self) -> list[str]:
        """MC-04: the identities the request is about (AddMessage subjectOfCareId, user
        profile subjectOfCare, PU personId/extension)."""
        if self.payload is None:
            return []
        found = [
            (e.text or "").strip()
            for e in self.payload.iter()
            if local(e) in ("subjectOfCareId", "subjectOfCare") and len(e) == 0
        ]
        found += [text(e, "extension") or "" for e in self.payload.iter() if local(e) == "personId"]
        return [s for s in found if s]

    def pu_profile(self) -> str | None:
        return text(self.payload, "profile") if self.payload is not None else None


def parse(record: dict) -> Request:
    body = record.get("request_body") or ""
    request = Request(record)
    try:
        root = etree.fromstring(body.encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        request.error = f"not well-formed XML: {exc}"
        return request
    header = root.find(f"{{{SOAP11_NS}}}Header")
    address = header.find(LOGICAL_ADDRESS) if header is not None else None
    request.logical_address = (address.text or "").strip() if address is not None else None
    body_element = root.find(f"{{{SOAP11_NS}}}Body")
    children = [c for c in body_element if isinstance(c.tag, str)] if body_element is not None else []
    request.payload = children[0] if children else None
    if request.payload is None:
        request.error = "no SOAP 1.1 Body payload"
    return request


def same_person(subject: str, pnr: str) -> bool:
    """Is a (possibly malformed) subjectOfCareId meant for ``pnr``? Birth date and serial
    agree once separators and the century are dropped; the check digit may be wrong. This
    is how the suite attributes a request the simulator indexed under another spelling."""
    digits = re.sub(r"[^0-9]", "", subject)
    return len(digits) >= 10 and digits[-10:-1] == re.sub(r"[^0-9]", "", pnr)[-10:-1]


def subject_problem(subject: str) -> str | None:
    """MC-04 for one identity: None if fine, else what is wrong."""
    if not CONTRACT_FORM.match(subject):
        return f"{subject!r} does not match ^[0-9]{{8}}[0-9pPtTfF][0-9]{{3}}$"
    if TWELVE_DIGITS.match(subject) and not has_valid_check_digit(subject):
        return f"{subject[:8]}-{subject[8:]} has a wrong check digit"
    return None


@dataclasses.dataclass
class AddMessage:
    """The AddMessage fields the MC rules judge."""

    request: Request
    subject: str | None
    business_object_id: str | None
    booking: dict
    msg: str | None
    msg_has_elements: bool
    notify: bool
    source_system: str | None
    header_text: str | None
    facility: dict = dataclasses.field(default_factory=dict)  # healthCareFacility children by local name

    @property
    def booking_id(self) -> str | None:
        return self.booking.get("bookingId")

    @property
    def cancelled(self) -> bool:
        return self.booking.get("cancelled") == "true"

    def docbook_problems(self) -> list[str]:
        """MC-02: the subset and parent/child table, and entity encoding on the wire."""
        problems = []
        if self.msg_has_elements:
            problems.append("msg carries XML elements on the wire instead of entity-encoded DocBook text")
        result = docbook.check(self.msg)
        problems += [f"{v.path or v.element or 'msg'}: {v.reason}" for v in result.violations]
        return problems

    def links(self) -> list[str]:
        """The ulink targets of msg (MC-08, MC-11)."""
        result = docbook.check(self.msg)
        if result.tree is None:
            return []
        return [e.get("url") or "" for e in result.tree.iter() if local(e) == "ulink"]

    def plain_text(self) -> str:
        """msg as words, for MC-05 (what the citizen reads)."""
        try:
            return " ".join(" ".join(docbook.parse(self.msg or "").itertext()).split())
        except etree.XMLSyntaxError:
            return " ".join(re.sub(r"<[^>]+>", " ", self.msg or "").split())


def add_message(request: Request) -> AddMessage | None:
    payload = request.payload
    if payload is None or request.contract != "AddMessage":
        return None
    message = find(payload, "message")
    msg_element = find(message, "msg")
    booking_element = find(message, "booking")
    booking = {local(c): (c.text or "").strip() for c in booking_element} if booking_element is not None else {}
    facility_element = find(message, "healthCareFacility")
    facility = {local(c): (c.text or "").strip() for c in facility_element} if facility_element is not None else {}
    return AddMessage(
        request=request,
        subject=text(payload, "subjectOfCareId"),
        business_object_id=text(message, "businessObjectId"),
        booking=booking,
        msg=msg_element.text if msg_element is not None else None,
        msg_has_elements=msg_element is not None and len(msg_element) > 0,
        notify=text(payload, "notify") in ("true", "1"),
        source_system=text(payload, "sourceSystem"),
        header_text=text(message, "headerText"),
        facility=facility,
    )
