"""AddMessage on the wire: read the (already schema-valid) request payload into a
:class:`~simulator.inbox.domain.AddMessageRequest` and build the response element.

Namespaces come from the contract: the responder namespace from the WSDL, the core
namespace (``urn:mvk:crm:casemanagement:inbox:2``) from the responder XSD's import, so a
``--contracts`` bundle is served exactly as it is written."""

from __future__ import annotations

from lxml import etree

from contracts.bundle import Contract
from simulator.inbox.domain import AddMessageRequest, Booking, Facility, Outcome, StoredMessage


def _text(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    child = parent.find(f"{{*}}{name}")
    return None if child is None else (child.text or "")


def _bool(parent: etree._Element | None, name: str) -> bool | None:
    value = _text(parent, name)
    return None if value is None else value.strip() in ("true", "1")


def _facility(element: etree._Element | None) -> Facility | None:
    if element is None:
        return None
    return Facility(
        hsa_id=_text(element, "hsaId"),
        name=_text(element, "healthCareFacilityName"),
        address=_text(element, "healthCareFacilityAddress"),
        postal_code=_text(element, "healthCareFacilityPostalCode"),
        postal_city=_text(element, "healthCareFacilityPostalCity"),
        telephone=_text(element, "healthCareFacilityTelephone"),
    )


def _booking(element: etree._Element | None) -> Booking | None:
    if element is None:
        return None
    return Booking(
        booking_id=_text(element, "bookingId"),
        is_invitation=bool(_bool(element, "isInvitation")),
        is_open_invitation=_bool(element, "isOpenInvitation"),
        rebooking_allowed=_bool(element, "rebookingAllowed"),
        cancel_booking_allowed=_bool(element, "cancelBookingAllowed"),
        cancelled=_bool(element, "cancelled"),
        booking_date=_text(element, "bookingDate"),
    )


def _url_configuration(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    values = {name: _text(element, name) for name in ("systemId", "urlText", "queryString", "urlLinkType")}
    return {name: value for name, value in values.items() if value is not None}


def read_add_message(payload: etree._Element) -> AddMessageRequest:
    """The request fields the producer uses; fields the TKB says are ignored (id,
    actionDate, actionTime, caseType.id, userSelectionStatus, bodyText, details) are
    not read, but stay in ``message_xml`` as received."""
    message = payload.find("{*}message")
    case_type = message.find("{*}caseType")
    return AddMessageRequest(
        subject_of_care_id=(_text(payload, "subjectOfCareId") or "").strip(),
        notify=bool(_bool(payload, "notify")),
        source_system=_text(payload, "sourceSystem"),
        message_xml=etree.tostring(message, encoding="unicode", with_tail=False),
        msg=_text(message, "msg"),
        case_read_status=(_text(message, "caseReadStatus") or "").strip() or None,
        case_type_description=_text(case_type, "caseTypeDescription"),
        facility=_facility(message.find("{*}healthCareFacility")),
        booking=_booking(message.find("{*}booking")),
        business_object_id=_text(message, "businessObjectId"),
        header_text=_text(message, "headerText"),
        url_configuration=_url_configuration(message.find("{*}urlConfiguration")),
    )


def _echo(parent: etree._Element, responder: str, core: str, message: StoredMessage) -> None:
    """The message with exactly the fields the TKB's "Svar" table returns, in XSD order."""
    element = etree.SubElement(parent, f"{{{responder}}}message")

    def add(under, name, value):
        if value is not None:
            etree.SubElement(under, f"{{{core}}}{name}").text = value

    add(element, "caseReadStatus", message.case_read_status)
    add(element, "actionDate", message.action_date)
    add(element, "actionTime", message.action_time)
    add(etree.SubElement(element, f"{{{core}}}caseType"), "caseTypeDescription", message.case_type_description)
    if message.facility.hsa_id is not None or message.facility.name is not None:
        facility = etree.SubElement(element, f"{{{core}}}healthCareFacility")
        add(facility, "hsaId", message.facility.hsa_id)
        add(facility, "healthCareFacilityName", message.facility.name)
    add(element, "businessObjectId", message.business_object_id)
    add(element, "headerText", message.header_text)
    add(element, "msg", message.msg)


def add_message_response(contract: Contract, outcome: Outcome) -> etree._Element:
    responder, core = contract.responder_namespace, contract.core_namespace
    response = etree.Element(contract.response_element, nsmap={None: responder, "core": core})
    if outcome.message is not None:
        _echo(response, responder, core, outcome.message)
    etree.SubElement(response, f"{{{responder}}}resultCode").text = outcome.result_code
    if outcome.result_text:
        etree.SubElement(response, f"{{{responder}}}resultText").text = outcome.result_text
    return response
