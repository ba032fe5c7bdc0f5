"""GetMessageStatus: read status of a thread for the care system (004 §5, RP-02).

The official read-status contract is not public; the request and response are the
simulator-owned model in contracts/TD_KALLELSE_STATUS_1_0. It is served like every other
interaction (same validation, faults and interceptors) at
``/inbox/GetMessageStatus/1/rivtabp21``. A logical error (wrong check digit, no such
thread for the citizen) is answered with resultCode ERROR/INFO and a resultText."""

from __future__ import annotations

from lxml import etree

from simulator.clock import SWEDEN
from simulator.inbox.store import InboxStore
from simulator.population.personnummer import TWELVE_DIGITS, has_valid_check_digit
from simulator.soap.service import ServiceSpec

CORE_NS = "urn:kallelse-testbed:inbox:status:1"


def status_elements(response_ns: str, messages: list[dict]) -> list[etree._Element]:
    elements = []
    for message in messages:
        item = etree.Element(f"{{{response_ns}}}message", nsmap={"core": CORE_NS})
        for name, value in (("id", message["message_id"]), ("caseReadStatus", message["case_read_status"])):
            etree.SubElement(item, f"{{{CORE_NS}}}{name}").text = value
        if message["read_at"] is not None:
            etree.SubElement(item, f"{{{CORE_NS}}}readTime").text = (
                message["read_at"].astimezone(SWEDEN).isoformat(timespec="seconds")
            )
        etree.SubElement(item, f"{{{CORE_NS}}}userSelectionStatus").text = message["user_selection_status"]
        etree.SubElement(item, f"{{{CORE_NS}}}actionDate").text = message["action_date"]
        etree.SubElement(item, f"{{{CORE_NS}}}actionTime").text = message["action_time"]
        elements.append(item)
    return elements


def answer(inbox: InboxStore, personnummer: str, business_object_id: str) -> tuple[list[dict], str, str | None]:
    """(messages, resultCode, resultText) for one request."""
    if TWELVE_DIGITS.match(personnummer) and not has_valid_check_digit(personnummer):
        return [], "ERROR", "subjectOfCareId har fel kontrollsiffra (MC-04)."
    messages = inbox.messages_by_business_object(business_object_id, personnummer)
    if not messages:
        return [], "INFO", "Invånaren har inga meddelanden med detta businessObjectId."
    return messages, "OK", None


def producer(runtime):
    inbox = InboxStore(runtime.db)
    contract = runtime.contracts["GetMessageStatus"]
    response_ns = etree.QName(contract.response_element).namespace

    def get_message_status(call):
        request_ns = etree.QName(call.payload).namespace
        personnummer = call.payload.findtext(f"{{{request_ns}}}subjectOfCareId").strip()
        business_object_id = call.payload.findtext(f"{{{request_ns}}}businessObjectId").strip()
        call.notes["personnummer"] = personnummer
        messages, code, text = answer(inbox, personnummer, business_object_id)
        response = etree.Element(contract.response_element, nsmap={None: response_ns})
        response.extend(status_elements(response_ns, messages))
        etree.SubElement(response, f"{{{response_ns}}}resultCode").text = code
        if text:
            etree.SubElement(response, f"{{{response_ns}}}resultText").text = text
        return response

    return {"GetMessageStatus": get_message_status}


SERVICE = ServiceSpec(prefix="inbox", producers=producer)
