"""Rules judged from what the vendor put on the wire (recorded request bodies): MC-01..MC-04,
LK-01/LK-02 ordering, MC-09/MC-10 thread consistency and MC-12 texts. Each function adds
findings and evidence to a Judgement; active scenarios and ``check-traffic`` share them."""

from __future__ import annotations

import re

from conformance import wire
from conformance.verdicts import Judgement

LOOKUP_PU = "GetPersonsForProfile"
LOOKUP_PROFILE = "GetUserProfile"
# Which LogicalAddress goes with which contract in the test bed (docs/conformance.md,
# "What the suite judges"); a vendor configured otherwise declares its own in /health.
LOGICAL_ADDRESSES = {
    "GetPersonsForProfile": "SE165565594230-1000",
    "GetUserProfile": "SE2321000016-MVK",
    "GetSubjectOfCare": "SE2321000016-MVK",
    "AddMessage": "SE2321000016-MVK",
    "GetMessageStatus": "SE2321000016-MVK",
}


def mc01(j: Judgement, requests: list[wire.Request], addresses: dict[str, str] | None = None) -> None:
    """XSD and LogicalAddress; with ``addresses`` (contract -> the vendor's configured
    receiver) the header must also name the right receiver for the contract."""
    for request in requests:
        errors = request.xsd_errors()
        label = f"{request.contract} request at {request.at}"
        if j.expect(not errors, f"{label}: valid against the contract XSD", "; ".join(errors) or "valid"):
            pass
        else:
            j.note(f"{label} (invalid)", request.body, kind="soap", at=request.at)
        j.expect(
            bool(request.logical_address),
            f"{label}: a RIVTA LogicalAddress SOAP header",
            f"LogicalAddress {request.logical_address!r}" if request.logical_address else "no LogicalAddress",
        )
        wanted = (addresses or {}).get(request.contract)
        if wanted and request.logical_address:
            j.expect(
                request.logical_address == wanted,
                f"{label}: LogicalAddress {wanted} (the receiver of {request.contract})",
                f"LogicalAddress {request.logical_address!r}",
            )
    if not requests:
        j.not_applicable("The vendor sent no request in scope.")


def mc02(j: Judgement, messages: list[wire.AddMessage]) -> None:
    for message in messages:
        problems = message.docbook_problems()
        label = f"AddMessage at {message.request.at} (businessObjectId {message.business_object_id})"
        j.expect(
            not problems,
            f"{label}: msg within the DocBook subset, entity-encoded",
            "; ".join(problems[:5]) or "within the subset",
        )
        if problems:
            j.note(f"{label}: msg", message.msg or "", kind="soap", at=message.request.at)
    if not messages:
        j.not_applicable("The vendor sent no AddMessage in scope.")


def mc03(j: Judgement, messages: list[wire.AddMessage], own: tuple[str, ...] = ()) -> None:
    """notify=true needs sourceSystem; with ``own`` (the vendor's HSA-ids) it must be one of them."""
    for message in (m for m in messages if m.notify):
        source = message.source_system or ""
        ok = bool(wire.HSA_ID.match(source)) and (not own or source in own)
        whose = f" ({', '.join(own)})" if own else ""
        if not j.expect(
            ok,
            f"AddMessage at {message.request.at} with notify=true: sourceSystem with the caller's own HSA-id{whose}",
            f"sourceSystem {source!r}" if source else "no sourceSystem",
        ):
            j.note("AddMessage request (notify=true)", message.request.body, kind="soap", at=message.request.at)
    if not any(m.notify for m in messages):
        j.not_applicable("No AddMessage with notify=true in scope.")


def mc04(j: Judgement, requests: list[wire.Request]) -> None:
    checked = 0
    for request in requests:
        if request.contract not in ("AddMessage", "GetUserProfile", "GetSubjectOfCare"):
            continue
        for subject in request.subjects():
            checked += 1
            problem = wire.subject_problem(subject)
            j.expect(
                problem is None,
                f"{request.contract} at {request.at}: subjectOfCareId in the contract form with a valid check digit",
                problem or "valid",
            )
    if not checked:
        j.not_applicable("No subjectOfCareId in scope.")


def lookup_before(j: Judgement, requests: list[wire.Request], lookup: str, what: str) -> None:
    """LK-01 (PU, P3 or higher) / LK-02 (1177 user profile): the lookup for the patient is
    recorded before the patient's first AddMessage."""
    first = next((r for r in requests if r.contract == "AddMessage"), None)
    lookups = [r for r in requests if r.contract == lookup and (first is None or r.record["id"] < first.record["id"])]
    if lookup == LOOKUP_PU:
        good = [r for r in lookups if r.pu_profile() in wire.PU_PROFILES_P3_UP]
        seen = ", ".join(f"{r.pu_profile()} at {r.at}" for r in lookups) or "no GetPersonsForProfile"
    else:
        good = lookups
        seen = ", ".join(f"GetUserProfile at {r.at}" for r in lookups) or "no GetUserProfile"
    where = f"before the first AddMessage (at {first.at})" if first else "before any delivery"
    j.expect(bool(good), f"{what} {where}", seen)
    for request in (good or lookups)[:2]:
        j.note(f"{request.contract} request", request.body, kind="soap", at=request.at)
    if first is not None:
        j.note("first AddMessage request", first.body, kind="soap", at=first.at)


def threads(j9: Judgement | None, j10: Judgement | None, messages: list[wire.AddMessage]) -> None:
    """MC-09: all messages of one booking share the first one's businessObjectId.
    MC-10: a cancellation (booking/cancelled=true) is in that thread."""
    by_booking: dict[str, list[wire.AddMessage]] = {}
    for message in messages:
        if message.booking_id:
            by_booking.setdefault(message.booking_id, []).append(message)
    for booking_id, group in by_booking.items():
        first = group[0].business_object_id
        ids = ", ".join(
            f"{m.business_object_id} ({'cancellation' if m.cancelled else 'message'} at {m.request.at})" for m in group
        )
        if j9 is not None and len(group) > 1:
            j9.expect(
                all(m.business_object_id == first for m in group),
                f"booking {booking_id}: every message in thread {first}",
                ids,
            )
        for cancel in (m for m in group if m.cancelled):
            if j10 is not None:
                j10.expect(
                    cancel.business_object_id == first and cancel is not group[0],
                    f"booking {booking_id}: the cancellation in the kallelse's thread {first}",
                    f"cancellation with businessObjectId {cancel.business_object_id}"
                    + ("" if cancel is not group[0] else " and no earlier message of the booking"),
                )


def visit_words(booking: dict) -> list[str]:
    """What a notification or SMS must not reveal about a visit (MC-12)."""
    words = [booking.get("visit_type"), (booking.get("facility") or {}).get("name"), booking.get("preparations")]
    start = booking.get("visit_start")
    if start:
        words += [start[11:16], start[:10]]
    return [w for w in words if w]


def mc12(j: Judgement, texts: list[tuple[str, str]], forbidden: list[str]) -> None:
    """``texts``: (where, text) of notifications and SMS; none may hold a forbidden word."""
    for where, body in texts:
        leaked = [w for w in forbidden if w and re.search(re.escape(w), body or "", re.IGNORECASE)]
        j.expect(
            not leaked,
            f"{where}: no health information or visit details",
            f"text {body!r} reveals {', '.join(map(repr, leaked))}" if leaked else f"text {body!r}",
        )
    if not texts:
        j.not_applicable("No SMS or notification text in scope.")
