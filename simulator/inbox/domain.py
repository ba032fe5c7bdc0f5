"""AddMessage 2.0 as the TKB (Ärendeinkorgen PA6, §AddMessage "Fältregler" and "Regler")
and the guideline catalog (MC-02, MC-03, MC-04) define it, free of SOAP and storage:
:func:`add_message` turns a parsed request, the citizen (or None) and the simulator time
into an :class:`Outcome` — what to answer and what to store.

Logical errors answer ``resultCode=ERROR`` and store nothing; a citizen without an
active 1177 account gets ``INFO`` and the message *is* stored, because the TKB's INFO
means "the transaction was performed, but there is something to show the citizen"
(docs/inbox.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from simulator.clock import SWEDEN
from simulator.inbox import docbook
from simulator.population.domain import Citizen
from simulator.population.personnummer import TWELVE_DIGITS, has_valid_check_digit

GENERAL_MESSAGE = "general message"  # caseType.id the producer sets
DEFAULT_CASE_TYPE_DESCRIPTION = "Meddelande"

OK, INFO, ERROR = "OK", "INFO", "ERROR"

TEXT_NO_ACCOUNT = (
    "Invånaren saknar konto i 1177 Vårdguidens e-tjänster. Meddelandet har lagts i inkorgen, "
    "men ingen avisering har skickats."
)
TEXT_INACTIVE_ACCOUNT = (
    "Invånarens konto i 1177 Vårdguidens e-tjänster är låst eller inaktivt. Meddelandet har "
    "lagts i inkorgen, men ingen avisering har skickats."
)


@dataclasses.dataclass(frozen=True)
class Facility:
    hsa_id: str | None = None
    name: str | None = None
    address: str | None = None
    postal_code: str | None = None
    postal_city: str | None = None
    telephone: str | None = None


@dataclasses.dataclass(frozen=True)
class Booking:
    """The booking fields the inbox acts on (buttons, cancelled threads, MC-06/MC-07/MC-10);
    every other booking field stays in the stored message XML."""

    booking_id: str | None
    is_invitation: bool
    is_open_invitation: bool | None = None
    rebooking_allowed: bool | None = None
    cancel_booking_allowed: bool | None = None
    cancelled: bool | None = None
    booking_date: str | None = None


@dataclasses.dataclass(frozen=True)
class AddMessageRequest:
    """The fields of an AddMessage request the producer reads (TKB "Begäran")."""

    subject_of_care_id: str
    notify: bool
    message_xml: str
    source_system: str | None = None
    msg: str | None = None
    case_read_status: str | None = None
    case_type_description: str | None = None
    facility: Facility | None = None
    booking: Booking | None = None
    business_object_id: str | None = None
    header_text: str | None = None
    url_configuration: dict | None = None


@dataclasses.dataclass(frozen=True)
class StoredMessage:
    """A message as the inbox keeps it; field names are the inbox_messages columns."""

    message_id: str
    subject_of_care_id: str
    business_object_id: str | None
    source_system: str | None
    notify: bool
    received_at: dt.datetime
    action_date: str
    action_time: str
    case_read_status: str
    user_selection_status: str
    case_type_id: str
    case_type_description: str
    header_text: str | None
    facility: Facility
    booking: Booking | None
    url_configuration: dict | None
    msg: str
    docbook_ok: bool
    docbook_violations: list[dict]
    result_code: str
    message_xml: str


@dataclasses.dataclass(frozen=True)
class Outcome:
    """``message`` is None when nothing is stored (ERROR)."""

    result_code: str
    result_text: str | None
    rule_ids: tuple[str, ...]
    message: StoredMessage | None = None


def request_errors(request: AddMessageRequest) -> list[tuple[str | None, str]]:
    """Logical field rules the schema cannot express, as (guideline rule id or None,
    resultText part)."""
    errors: list[tuple[str | None, str]] = []
    pnr = request.subject_of_care_id
    if TWELVE_DIGITS.match(pnr) and not has_valid_check_digit(pnr):
        errors.append(("MC-04", f"subjectOfCareId {pnr[:8]}-{pnr[8:]} har fel kontrollsiffra."))
    if not (request.msg or "").strip():
        errors.append(
            (
                "MC-02",
                "message.msg saknas: meddelandets text (DocBook, XML entity encoded) är obligatorisk i AddMessage.",
            )
        )
    if request.notify and not (request.source_system or "").strip():
        errors.append(
            ("MC-03", "sourceSystem saknas: det anropande systemets HSA-id är obligatoriskt när notify = true.")
        )
    return errors


def account_result(citizen: Citizen | None) -> tuple[str, str | None]:
    """TKB Regler: no account or a locked account -> INFO with a text for the citizen.
    A personnummer the simulator does not know has no account."""
    if citizen is None or not citizen.account.exists:
        return INFO, TEXT_NO_ACCOUNT
    if not citizen.account.active:
        return INFO, TEXT_INACTIVE_ACCOUNT
    return OK, None


def add_message(request: AddMessageRequest, citizen: Citizen | None, now: dt.datetime, message_id: str) -> Outcome:
    """Decide the answer and the message to store; ``now`` is the simulator time
    (aware), ``message_id`` the id the producer generates (message.id is ignored)."""
    errors = request_errors(request)
    if errors:
        return Outcome(ERROR, " ".join(text for _, text in errors), tuple(rule for rule, _ in errors if rule))
    result_code, result_text = account_result(citizen)
    markup = docbook.check(request.msg)
    local = now.astimezone(SWEDEN)
    message = StoredMessage(
        message_id=message_id,
        subject_of_care_id=request.subject_of_care_id,
        business_object_id=request.business_object_id,
        source_system=(request.source_system or "").strip() or None,
        notify=request.notify,
        received_at=now,
        action_date=local.date().isoformat(),
        action_time=local.time().replace(microsecond=0).isoformat(),
        case_read_status=request.case_read_status or "Unread",
        user_selection_status="Active",
        case_type_id=GENERAL_MESSAGE,
        case_type_description=request.case_type_description or DEFAULT_CASE_TYPE_DESCRIPTION,
        header_text=request.header_text,
        facility=request.facility or Facility(),
        booking=request.booking,
        url_configuration=request.url_configuration,
        msg=request.msg or "",  # present: request_errors refused a message without one (MC-02)
        docbook_ok=markup.ok,
        docbook_violations=markup.violations_json(),
        result_code=result_code,
        message_xml=request.message_xml,
    )
    return Outcome(result_code, result_text, () if markup.ok else ("MC-02",), message)
