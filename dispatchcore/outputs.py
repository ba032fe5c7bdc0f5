"""The three things a citizen receives: the 1177 message (AddMessage), the paper letter
(the print-and-distribution service's outbox) and the SMS reminder (an SMS gateway).

Exactly once as the citizen sees it: a step is marked ``sending`` (with its position in
the thread) before the call and ``done`` after. A step found in ``sending`` was cut off
by a dead worker after or before the call: the receiver is asked first (how many
messages the thread has, how many letters the booking has) and the step is sent again
only if it did not arrive. The SMS gateway takes an idempotency key instead."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable

import requests

from dispatchcore import calls
from dispatchcore.content import SMS_REMINDER, docbook, letter_content
from dispatchcore.context import Context
from dispatchcore.grouped import Answer, post_json
from dispatchcore.letter import render_pdf
from dispatchcore.localtime import SWEDEN
from dispatchcore.states import StepKind, StepState
from rivta import RivtaError, not_connected

log = logging.getLogger(__name__)


def _position(ctx: Context, kind: StepKind) -> int:
    """Where this delivery lands among the booking's deliveries that reached the receiver
    (an AddMessage answered INFO/ERROR stored nothing)."""
    done = ctx.done_steps(kind)
    if kind == StepKind.ADDMESSAGE:
        done = [s for s in done if (s.result or {}).get("code") == "OK"]
    return len(done) + 1


# --- AddMessage ----------------------------------------------------------------------------


def _booking_element(ctx: Context, purpose: str) -> dict:
    """MC-06/MC-07/MC-10: what the inbox shows as the booking, with the buttons allowed."""
    booking = ctx.booking
    element = {
        "bookingId": booking.booking_id,
        "isInvitation": booking.kind != "confirmation",
        "rebookingAllowed": booking.rebooking_allowed and purpose != "cancel",
        "cancelBookingAllowed": booking.cancel_allowed and purpose != "cancel",
        "performerName": booking.performer_name or None,
    }
    if booking.visit_start is None:  # an open invitation (MC-07): domain allows no other
        element["isOpenInvitation"] = True
    else:
        element["bookingDate"] = (
            booking.visit_start.astimezone(SWEDEN).replace(tzinfo=None).isoformat(timespec="seconds")
        )
    if purpose == "cancel":
        element["cancelled"] = True
    return element


def build_message(ctx: Context, purpose: str) -> calls.Message:
    content = letter_content(ctx.booking, purpose)
    facility = ctx.booking.facility
    return calls.Message(
        pnr=ctx.booking.personnummer,
        business_object_id=ctx.row.business_object_id,
        header=content.title,
        case_type=content.case_type,
        msg=docbook(content),
        facility={
            "hsaId": facility.hsa_id,
            "healthCareFacilityName": facility.name,
            "healthCareFacilityAddress": facility.address,
            "healthCareFacilityPostalCode": facility.postal_code,
            "healthCareFacilityPostalCity": facility.city,
            "healthCareFacilityTelephone": facility.phone,
        },
        booking=_booking_element(ctx, purpose),
        source_system=ctx.profile.source_system,
    )


def _thread_count(ctx: Context) -> int | None:
    try:
        status = calls.thread_status(
            ctx.client(), ctx.endpoint("message_status"), ctx.booking.personnummer, ctx.row.business_object_id
        )
    except RivtaError:
        return None
    return status.messages


def deliver_message(ctx: Context) -> None:
    purpose = ctx.payload["purpose"]
    if ctx.step.state == StepState.SENDING:
        count = _thread_count(ctx)
        if count is not None and count >= ctx.payload.get("position", 1):
            ctx.finish(StepState.DONE, code="OK", text="verified in the thread after a worker stopped mid-send")
            return
    ctx.sending(position=_position(ctx, StepKind.ADDMESSAGE))
    try:
        code, text = calls.send_message(ctx.client(), ctx.endpoint("inbox"), build_message(ctx, purpose))
    except RivtaError as exc:
        _message_failed(ctx, purpose, exc)
        return
    with ctx.store.db.begin() as conn:  # one transaction: never "done" without the LK-04 paper
        ctx.finish(StepState.DONE, conn, code=code, text=text)
        if code != "OK" and purpose != "reminder":
            _paper_instead(ctx, purpose, "LK-04", f"AddMessage answered {code} ({text}); paper is sent.", conn)


def _message_failed(ctx: Context, purpose: str, exc: RivtaError) -> None:
    """LK-04: retry with the same businessObjectId; LK-03: meanwhile paper, so the
    kallelse is never dropped. One transaction: nobody (a crash, a reader) ever sees the
    retry planned without the paper step beside it.

    A failure after the request left (no answer in time, a broken connection, a Fault)
    does not say the message was not stored: the retry stays ``sending``, so it asks the
    thread first and sends only if the message is not there. Sent blind, one slow answer
    would put the kallelse in the citizen's inbox twice."""
    reason = exc.reason
    state = StepState.to_retry(exc.may_have_arrived)
    with ctx.store.db.begin() as conn:
        ctx.retry_or_fail(f"AddMessage: {reason}", conn, state=state)
        if purpose != "reminder":
            _paper_instead(
                ctx,
                purpose,
                "LK-03",
                f"1177 AddMessage failed ({reason}); paper is sent and the message is retried in the same thread.",
                conn,
            )


def _paper_instead(ctx: Context, purpose: str, rule: str, text: str, conn=None) -> None:
    if conn is None:
        with ctx.store.db.begin() as conn:
            return _paper_instead(ctx, purpose, rule, text, conn)
    revision = ctx.payload.get("revision")
    key = "paper:cancel" if purpose == "cancel" else f"paper:{revision}"
    if ctx.store.add_step(
        conn,
        ctx.booking.booking_id,
        key,
        StepKind.PAPER,
        ctx.now,
        rule,
        {
            "purpose": purpose,
            "revision": revision,
            "rules": [rule],
            "because": text,
            "protected": bool(ctx.payload.get("protected")),
        },
    ):
        log.info("booking %s: %s", ctx.booking.booking_id, text)


# --- paper letters -------------------------------------------------------------------------


def _letter_count(ctx: Context) -> int | None:
    try:
        response = ctx.client().session.get(
            ctx.engine.url(ctx.settings, "paper_outbox"),
            timeout=10,
            params={"personnummer": ctx.booking.personnummer, "business_object_id": ctx.row.business_object_id},
        )
    except requests.RequestException:
        return None
    return len(response.json()) if response.status_code == 200 else None


def _recipient(ctx: Context, protected: bool) -> tuple[str, dict | None, bool]:
    """(name, address, protected) from a fresh PU lookup (LK-01): the address is never
    stored by the engine. PU unreachable: the distribution service finds the address."""
    person = ctx.engine.people.get(ctx.booking.booking_id)
    if person is None:
        try:
            person = calls.look_up_person(ctx.client(), ctx.endpoint("pu"), ctx.booking.personnummer)
        except RivtaError:
            return "", None, protected
    protected = protected or person.protected
    name = f"{person.given_name} {person.surname}".strip()
    address = person.address
    if protected or address is None:
        return name, None, protected
    return name, _address_json(name, address), False


def _address_json(name: str, address) -> dict | None:
    if not address:
        return None
    care_of, street, postal_code, city = address
    return {
        k: v
        for k, v in {
            "name": name,
            "care_of": care_of,
            "street": street,
            "postal_code": postal_code,
            "city": city,
        }.items()
        if v
    }


def deliver_letter(ctx: Context) -> None:
    purpose = ctx.payload["purpose"]
    if ctx.step.state == StepState.SENDING:
        count = _letter_count(ctx)
        if count is not None and count >= ctx.payload.get("position", 1):
            ctx.finish(StepState.DONE, text="verified in the paper outbox after a worker stopped mid-send")
            return
    name, address, protected = _recipient(ctx, bool(ctx.payload.get("protected")))
    lines = [line for line in ((address or {}).get(k) for k in ("care_of", "street")) if line]
    if address:
        lines.append(f"{address.get('postal_code', '')} {address.get('city', '')}".strip())
    pdf = render_pdf(letter_content(ctx.booking, purpose), name or "Till patienten", lines, protected)
    body = {
        "personnummer": ctx.booking.personnummer,
        "business_object_id": ctx.row.business_object_id,
        "booking_id": ctx.booking.booking_id,
        "reason_rule_ids": ctx.payload.get("rules") or [],
        "sender_facility": {"name": ctx.booking.facility.name, "hsa_id": ctx.booking.facility.hsa_id},
        "protected_address_route": protected,
        "pdf_base64": base64.b64encode(pdf).decode("ascii"),
    }
    if address:
        body["address"] = address
    ctx.sending(position=_position(ctx, StepKind.PAPER))
    _post(ctx, ctx.engine.url(ctx.settings, "paper_outbox"), body, "letter_id", grouped=True)


def _post(ctx: Context, url: str, body: dict, id_field: str, grouped: bool = False) -> None:
    """A REST delivery: 2xx done, 4xx failed for good (our request is wrong), else retry.
    ``grouped``: a paper letter, posted together with the other threads' letters that
    come at the same time (grouped.LetterPost; the answer is this letter's own)."""
    send: Callable[..., requests.Response | Answer] = ctx.engine.letter_post.post if grouped else post_json
    try:
        response = send(ctx.client().session, url, body, ctx.settings.timeout_seconds, ctx.settings.consumer_hsa_id)
    except requests.RequestException as exc:
        _rest_failed(ctx, f"{type(exc).__name__}", may_have_arrived=not not_connected(exc))
        return
    if response.status_code in (200, 201):
        ctx.finish(StepState.DONE, **{id_field: _json(response).get(id_field) or _json(response).get("id")})
    elif 400 <= response.status_code < 500:
        log.warning(
            "booking %s: %s rejected %s: %s", ctx.booking.booking_id, url, response.status_code, response.text[:300]
        )
        ctx.finish(StepState.FAILED, error=f"HTTP {response.status_code}", answer=_json(response))
    else:
        _rest_failed(ctx, f"HTTP {response.status_code}", may_have_arrived=True)


def _json(response) -> dict:
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _rest_failed(ctx: Context, reason: str, may_have_arrived: bool) -> None:
    """Back to a retry (or given up), in one write. A request that left may have been
    taken although no answer said so: the retry stays ``sending`` and asks the receiver
    first (the letters of the booking; the SMS gateway dedupes by idempotency key)."""
    ctx.retry_or_fail(reason, state=StepState.to_retry(may_have_arrived))


# --- SMS reminders -------------------------------------------------------------------------


def deliver_sms(ctx: Context) -> None:
    """RM-01 through the SMS gateway; MC-12: the text says nothing about the visit."""
    mobile = ctx.booking.mobile or _profile_mobile(ctx)
    if not mobile:
        ctx.finish(StepState.FAILED, error="no mobile number: neither the booking nor the 1177 profile has one")
        return
    body = {
        "idempotency_key": f"{ctx.row.business_object_id}:{ctx.step.key}",
        "recipient": mobile,
        "personnummer": ctx.booking.personnummer,
        "booking_id": ctx.booking.booking_id,
        "sender": ctx.booking.facility.name[:80],
        "text": SMS_REMINDER,
    }
    ctx.sending()
    _post(ctx, ctx.engine.url(ctx.settings, "sms_gateway"), body, "id")


def _profile_mobile(ctx: Context) -> str:
    try:
        return calls.look_up_account(ctx.client(), ctx.endpoint("userprofile"), ctx.booking.personnummer).mobile
    except RivtaError:
        return ""
