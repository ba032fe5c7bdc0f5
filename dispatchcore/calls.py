"""The four platform interactions the engine uses, request and answer:
PU GetPersonsForProfile (LK-01), 1177 GetUserProfile (LK-02), AddMessage (MC-*), and the
simulator's GetMessageStatus (FB-02, RP-02). Element names follow the contracts' XSDs;
namespaces come from the loaded contract (``Contract.core_namespace``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from lxml import etree

import rivta
from dispatchcore.localtime import SWEDEN, UTC
from dispatchcore.rules import AccountAnswer, PersonAnswer
from dispatchcore.states import LookupStatus
from rivta import Endpoint, RivtaClient, local_bool, local_find, local_text

# --- PU-tjänsten ---------------------------------------------------------------------------


def person_request(endpoint: Endpoint, pnr: str) -> etree._Element:
    return rivta.get_persons_for_profile(endpoint.contract, [pnr], "P3")


def _name_part(record, name: str) -> str:
    """NameType parts are plain text or a NamePartType with ``name`` (attested names)."""
    return local_text(record, "name", name, "name") or local_text(record, "name", name)


def parse_person(answer: etree._Element) -> PersonAnswer:
    return person_from(local_find(answer, "requestedPersonRecord"))


def parse_persons(answer: etree._Element) -> dict[str, PersonAnswer]:
    """A batch answer: personnummer -> answer, one per ``requestedPersonRecord``."""
    found = {}
    for requested in answer:
        if isinstance(requested.tag, str) and etree.QName(requested).localname == "requestedPersonRecord":
            pnr = local_text(requested, "requestedPersonalIdentity", "extension")
            if pnr:
                found[pnr] = person_from(requested)
    return found


def look_up_people(client: RivtaClient, endpoint: Endpoint, pnrs: list[str]) -> dict[str, PersonAnswer]:
    """LK-01 for up to 500 people in one GetPersonsForProfile call, as campaign systems do."""
    return parse_persons(client.call(endpoint, rivta.get_persons_for_profile(endpoint.contract, pnrs, "P3")))


def person_from(requested: etree._Element | None) -> PersonAnswer:
    """One ``requestedPersonRecord``: no ``personRecord`` in it means not found."""
    record = local_find(requested, "personRecord")
    if record is None:
        return PersonAnswer(status=LookupStatus.NOT_FOUND)
    address = local_find(record, "addressInformation", "residentialAddress")
    lines = None
    if address is not None:
        street = " ".join(filter(None, (local_text(address, "postalAddress1"), local_text(address, "postalAddress2"))))
        lines = (local_text(address, "careOf"), street, local_text(address, "postalCode"), local_text(address, "city"))
    deregistration = local_find(record, "deregistration")
    return PersonAnswer(
        status=LookupStatus.OK,
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
    return rivta.get_user_profile(endpoint.contract, pnr)


def parse_account(answer: etree._Element) -> AccountAnswer:
    code = local_text(answer, "resultCode")
    profile = local_find(answer, "userProfile")
    if code == "ERROR":
        return AccountAnswer(
            status=LookupStatus.UNAVAILABLE, error=f"resultCode ERROR: {local_text(answer, 'resultText')[:120]}"
        )
    if profile is None:
        return AccountAnswer(status=LookupStatus.NO_ACCOUNT)
    return AccountAnswer(
        status=LookupStatus.OK,
        exists=True,
        active=local_bool(answer, "isActive"),
        mail_notification=local_bool(profile, "hasMailNotification"),
        sms_notification=local_bool(profile, "hasSmsNotification"),
        mobile=local_text(profile, "mobilePhoneNumber"),
    )


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
    source_system: str  # MC-03: with notify=true


FACILITY_FIELDS = (
    "hsaId",
    "healthCareFacilityName",
    "healthCareFacilityAddress",
    "healthCareFacilityPostalCode",
    "healthCareFacilityPostalCity",
    "healthCareFacilityTelephone",
)
BOOKING_FIELDS = (
    "bookingId",
    "isInvitation",
    "isOpenInvitation",
    "rebookingAllowed",
    "cancelBookingAllowed",
    "cancelled",
    "performerName",
    "bookingDate",
)


def message_request(endpoint: Endpoint, message: Message) -> etree._Element:
    """The message's fields in XSD order; empty ones left out."""
    facility = {name: message.facility[name] for name in FACILITY_FIELDS if message.facility.get(name)}
    booking = None
    if message.booking is not None:
        booking = {
            name: message.booking[name] for name in BOOKING_FIELDS if message.booking.get(name) not in (None, "")
        }
    kallelse = rivta.Kallelse(
        personnummer=message.pnr,
        msg=message.msg,
        business_object_id=message.business_object_id,
        case_type=message.case_type,
        header=message.header,
        facility=facility,
        booking=booking,
        source_system=message.source_system or None,
    )
    return rivta.add_message(endpoint.contract, kallelse)


def send_message(client: RivtaClient, endpoint: Endpoint, message: Message) -> tuple[str, str]:
    """(resultCode, resultText); raises RivtaError on a Fault/timeout (LK-04)."""
    answer = rivta.result(client.call(endpoint, message_request(endpoint, message)))
    return answer.code, answer.text


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
    return rivta.get_message_status(endpoint.contract, pnr, business_object_id)


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
