"""AddMessage on the wire: read the (already schema-valid) request payload into a
:class:`~simulator.inbox.domain.AddMessageRequest` and build the response element.

Namespaces come from the contract: the responder namespace from the WSDL, the core
namespace (``urn:mvk:crm:casemanagement:inbox:2``) from the responder XSD's import, so a
``--contracts`` bundle is served exactly as it is written."""

from __future__ import annotations

from lxml import etree

from contracts.bundle import Contract
from simulator.inbox.domain import AddMessageRequest, Booking, Facility, Outcome, StoredMessage
from simulator.soap.endpoint import TextAnswer, parts_answer
from simulator.soap.envelope import Part, grown_element

Fields = dict[str, etree._Element]


def _fields(parent: etree._Element | None, namespace: str) -> Fields:
    """``parent``'s child elements in ``namespace`` by local name, the first of each (one
    pass over the children). The payload is schema-valid by now, so every field is in the
    namespace the contract gives it: a ``{*}`` find per field parsed its path and walked
    the children again for each of the fifteen fields, a tenth of an AddMessage's CPU."""
    found: Fields = {}
    if parent is None:
        return found
    prefix = f"{{{namespace}}}"
    cut = len(prefix)
    for child in parent:
        tag = child.tag
        if tag.__class__ is str and tag.startswith(prefix):  # (a comment's tag is a function)
            found.setdefault(tag[cut:], child)
    return found


def _text(fields: Fields, name: str) -> str | None:
    child = fields.get(name)
    return None if child is None else (child.text or "")


def _bool(fields: Fields, name: str) -> bool | None:
    value = _text(fields, name)
    return None if value is None else value.strip() in ("true", "1")


def _facility(element: etree._Element | None, core: str) -> Facility | None:
    if element is None:
        return None
    fields = _fields(element, core)
    return Facility(
        hsa_id=_text(fields, "hsaId"),
        name=_text(fields, "healthCareFacilityName"),
        address=_text(fields, "healthCareFacilityAddress"),
        postal_code=_text(fields, "healthCareFacilityPostalCode"),
        postal_city=_text(fields, "healthCareFacilityPostalCity"),
        telephone=_text(fields, "healthCareFacilityTelephone"),
    )


def _booking(element: etree._Element | None, core: str) -> Booking | None:
    if element is None:
        return None
    fields = _fields(element, core)
    return Booking(
        booking_id=_text(fields, "bookingId"),
        is_invitation=bool(_bool(fields, "isInvitation")),
        is_open_invitation=_bool(fields, "isOpenInvitation"),
        rebooking_allowed=_bool(fields, "rebookingAllowed"),
        cancel_booking_allowed=_bool(fields, "cancelBookingAllowed"),
        cancelled=_bool(fields, "cancelled"),
        booking_date=_text(fields, "bookingDate"),
    )


def _url_configuration(element: etree._Element | None, core: str) -> dict | None:
    if element is None:
        return None
    fields = _fields(element, core)
    values = {name: _text(fields, name) for name in ("systemId", "urlText", "queryString", "urlLinkType")}
    return {name: value for name, value in values.items() if value is not None}


def read_add_message(contract: Contract, payload: etree._Element) -> AddMessageRequest:
    """The request fields the producer uses; fields the TKB says are ignored (id,
    actionDate, actionTime, caseType.id, userSelectionStatus, bodyText, details) are
    not read, but stay in ``message_xml`` as received. The request's own elements are in
    the responder namespace, everything inside ``message`` in the core namespace."""
    core = contract.core_namespace
    request = _fields(payload, contract.responder_namespace)
    message = request["message"]
    fields = _fields(message, core)
    return AddMessageRequest(
        subject_of_care_id=(_text(request, "subjectOfCareId") or "").strip(),
        notify=bool(_bool(request, "notify")),
        source_system=_text(request, "sourceSystem"),
        message_xml=etree.tostring(message, encoding="unicode", with_tail=False),
        msg=_text(fields, "msg"),
        case_read_status=(_text(fields, "caseReadStatus") or "").strip() or None,
        case_type_description=_text(_fields(fields.get("caseType"), core), "caseTypeDescription"),
        facility=_facility(fields.get("healthCareFacility"), core),
        booking=_booking(fields.get("booking"), core),
        business_object_id=_text(fields, "businessObjectId"),
        header_text=_text(fields, "headerText"),
        url_configuration=_url_configuration(fields.get("urlConfiguration"), core),
    )


def _echo_parts(message: StoredMessage) -> list[Part]:
    """The message with exactly the fields the TKB's "Svar" table returns, in XSD order."""
    facility = message.facility
    shown = facility.hsa_id is not None or facility.name is not None
    return [
        ("core:caseReadStatus", message.case_read_status),
        ("core:actionDate", message.action_date),
        ("core:actionTime", message.action_time),
        ("core:caseType", [("core:caseTypeDescription", message.case_type_description)]),
        (
            "core:healthCareFacility",
            [("core:hsaId", facility.hsa_id), ("core:healthCareFacilityName", facility.name)] if shown else None,
        ),
        ("core:businessObjectId", message.business_object_id),
        ("core:headerText", message.header_text),
        ("core:msg", message.msg),
    ]


def _parts(outcome: Outcome) -> list[Part]:
    """The response's parts: the echoed message (when one was stored), resultCode and,
    when there is one, resultText."""
    echo = _echo_parts(outcome.message) if outcome.message is not None else None
    return [("message", echo), ("resultCode", outcome.result_code), ("resultText", outcome.result_text or None)]


def add_message_response(contract: Contract, outcome: Outcome) -> TextAnswer | etree._Element:
    """The response as the text lxml writes for :func:`response_tree` (building and
    serializing the tree, the letter echoed in it, was a twentieth of an AddMessage), or
    that tree when a value is one lxml writes otherwise."""
    return parts_answer(contract, _parts(outcome), outcome.result_code)


def response_tree(contract: Contract, outcome: Outcome) -> etree._Element:
    """The response element built with lxml."""
    return grown_element(
        contract.response_element, contract.responder_namespace, contract.core_namespace, _parts(outcome)
    )
