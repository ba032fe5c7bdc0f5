"""The four platform interactions the engine uses, request and answer:
PU GetPersonsForProfile (LK-01), 1177 GetUserProfile (LK-02), AddMessage (MC-*), and the
simulator's GetMessageStatus (FB-02, RP-02). Element names follow the contracts' XSDs;
namespaces come from the loaded contract (``Contract.core_namespace``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from lxml import etree

from simulator.clock import SWEDEN, UTC
from simulator.dispatch.rivta import Endpoint, RivtaClient, local_bool, local_find, local_text, sub
from simulator.dispatch.rules import AccountAnswer, PersonAnswer
from simulator.population.personnummer import is_samordningsnummer

OID_PERSONNUMMER = "1.2.752.129.2.1.3.1"
OID_SAMORDNINGSNUMMER = "1.2.752.129.2.1.3.3"
OID_RESERVNUMMER = "1.2.752.74.9.1"


def identity_root(pnr: str) -> str:
    if not pnr[8].isdigit():
        return OID_RESERVNUMMER
    return OID_SAMORDNINGSNUMMER if is_samordningsnummer(pnr) else OID_PERSONNUMMER


# --- PU-tjänsten ---------------------------------------------------------------------------


def person_request(endpoint: Endpoint, pnr: str) -> etree._Element:
    contract = endpoint.contract
    ns, core = contract.responder_namespace, contract.core_namespace
    payload = etree.Element(contract.request_element, nsmap={None: ns, "core": core})
    person_id = sub(payload, ns, "personId")
    sub(person_id, core, "root", identity_root(pnr))
    sub(person_id, core, "extension", pnr)
    sub(payload, ns, "profile", "P3")
    sub(payload, ns, "ignoreReferredIdentity", False)
    return payload


def _name_part(record, name: str) -> str:
    """NameType parts are plain text or a NamePartType with ``name`` (attested names)."""
    return local_text(record, "name", name, "name") or local_text(record, "name", name)


def parse_person(answer: etree._Element) -> PersonAnswer:
    record = local_find(answer, "requestedPersonRecord", "personRecord")
    if record is None:
        return PersonAnswer(status="not_found")
    address = local_find(record, "addressInformation", "residentialAddress")
    lines = None
    if address is not None:
        street = " ".join(filter(None, (local_text(address, "postalAddress1"), local_text(address, "postalAddress2"))))
        lines = (local_text(address, "careOf"), street, local_text(address, "postalCode"), local_text(address, "city"))
    deregistration = local_find(record, "deregistration")
    return PersonAnswer(
        status="ok",
        optout_paper=local_bool(record, "optoutPaperNotification"),
        protected=local_bool(record, "protectedPersonIndicator") or local_bool(record, "protectedPopulationRecord"),
        deregistered=deregistration is not None,
        deregistration_code=(
            local_text(deregistration, "deregistrationReasonCode", "code")
            or local_text(deregistration, "deregistrationReasonCode")
        ),
        given_name=_name_part(record, "givenName"),
        surname=_name_part(record, "surname"),
        address=lines,
    )


def look_up_person(client: RivtaClient, endpoint: Endpoint, pnr: str) -> PersonAnswer:
    return parse_person(client.call(endpoint, person_request(endpoint, pnr)))


# --- 1177 user profile -------------------------------------------------------------------


def account_request(endpoint: Endpoint, pnr: str) -> etree._Element:
    contract = endpoint.contract
    payload = etree.Element(contract.request_element, nsmap={None: contract.responder_namespace})
    sub(payload, contract.responder_namespace, "subjectOfCare", pnr)
    return payload


def parse_account(answer: etree._Element) -> AccountAnswer:
    code = local_text(answer, "resultCode")
    profile = local_find(answer, "userProfile")
    if code == "ERROR":
        return AccountAnswer(status="unavailable", error=f"resultCode ERROR: {local_text(answer, 'resultText')[:120]}")
    if profile is None:
        return AccountAnswer(status="no_account")
    return AccountAnswer(
        status="ok",
        exists=True,
        active=local_bool(answer, "isActive"),
        mail_notification=local_bool(profile, "hasMailNotification"),
        sms_notification=local_bool(profile, "hasSmsNotification"),
        mobile=local_text(profile, "mobilePhoneNumber"),
    )


def profile_address(answer: etree._Element) -> tuple[str, str, str, str] | None:
    """The folkbokföring address the user profile repeats; only the protected_address_on_letter
    mutation ever uses it."""
    profile = local_find(answer, "userProfile")
    street = local_text(profile, "streetAddress")
    return ("", street, local_text(profile, "zip"), local_text(profile, "city")) if street else None


def look_up_account(client: RivtaClient, endpoint: Endpoint, pnr: str) -> AccountAnswer:
    return parse_account(client.call(endpoint, account_request(endpoint, pnr)))


# --- AddMessage ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Message:
    """One AddMessage of a booking's thread."""

    pnr: str
    business_object_id: str
    header: str
    case_type: str
    msg: str
    facility: dict
    booking: dict | None  # BookingType fields, None for no booking element
    source_system: str | None  # None: notify without sourceSystem (mutation)


def message_request(endpoint: Endpoint, message: Message) -> etree._Element:
    contract = endpoint.contract
    ns, core = contract.responder_namespace, contract.core_namespace
    payload = etree.Element(contract.request_element, nsmap={None: ns, "core": core})
    sub(payload, ns, "subjectOfCareId", message.pnr)
    case = sub(payload, ns, "message")
    sub(sub(case, core, "caseType"), core, "caseTypeDescription", message.case_type)
    facility = sub(case, core, "healthCareFacility")
    for name in (
        "hsaId",
        "healthCareFacilityName",
        "healthCareFacilityAddress",
        "healthCareFacilityPostalCode",
        "healthCareFacilityPostalCity",
        "healthCareFacilityTelephone",
    ):
        if message.facility.get(name):
            sub(facility, core, name, message.facility[name])
    if message.booking is not None:
        booking = sub(case, core, "booking")
        for name in (
            "bookingId",
            "isInvitation",
            "isOpenInvitation",
            "rebookingAllowed",
            "cancelBookingAllowed",
            "cancelled",
            "performerName",
            "bookingDate",
        ):
            if message.booking.get(name) is not None and message.booking.get(name) != "":
                sub(booking, core, name, message.booking[name])
    sub(case, core, "businessObjectId", message.business_object_id)
    sub(case, core, "headerText", message.header)
    sub(case, core, "msg", message.msg)  # lxml entity-encodes the DocBook text (MC-02)
    sub(payload, ns, "notify", True)
    if message.source_system:
        sub(payload, ns, "sourceSystem", message.source_system)
    return payload


def send_message(client: RivtaClient, endpoint: Endpoint, message: Message) -> tuple[str, str]:
    """(resultCode, resultText); raises Unavailable on a Fault/timeout (LK-04)."""
    answer = client.call(endpoint, message_request(endpoint, message))
    return local_text(answer, "resultCode"), local_text(answer, "resultText")


# --- GetMessageStatus ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ThreadStatus:
    code: str
    messages: int
    reads: tuple[dt.datetime, ...]  # read times of the thread's messages

    def first_read_since(self, since: dt.datetime) -> dt.datetime | None:
        """When a message sent at or after ``since`` (seconds precision) was first read."""
        since = since.replace(microsecond=0)
        later = [r for r in self.reads if r >= since]
        return min(later) if later else None


def status_request(endpoint: Endpoint, pnr: str, business_object_id: str) -> etree._Element:
    contract = endpoint.contract
    payload = etree.Element(contract.request_element, nsmap={None: contract.responder_namespace})
    sub(payload, contract.responder_namespace, "subjectOfCareId", pnr)
    sub(payload, contract.responder_namespace, "businessObjectId", business_object_id)
    return payload


def parse_status(answer: etree._Element) -> ThreadStatus:
    reads = []
    count = 0
    for item in answer:
        if isinstance(item.tag, str) and etree.QName(item).localname == "message":
            count += 1
            text = local_text(item, "readTime")
            if text:
                value = dt.datetime.fromisoformat(text)
                reads.append((value if value.tzinfo else value.replace(tzinfo=SWEDEN)).astimezone(UTC))
    return ThreadStatus(code=local_text(answer, "resultCode"), messages=count, reads=tuple(sorted(reads)))


def thread_status(client: RivtaClient, endpoint: Endpoint, pnr: str, business_object_id: str) -> ThreadStatus:
    return parse_status(client.call(endpoint, status_request(endpoint, pnr, business_object_id)))
