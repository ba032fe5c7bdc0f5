"""The conformance vendor-adapter protocol (conformance/adapter-openapi.yaml), implemented
by the reference engine under /dispatch/adapter: bookings in, GET /idle so the suite knows
when the engine has done what is due, the SMS it sent, its health (it reads the simulator
clock and posts paper to the simulator's paper outbox). ``/outputs`` is an extension of the
reference engine."""

from __future__ import annotations

import importlib.metadata

from flask import Blueprint, jsonify, request

from dispatchcore import api as dispatch_api
from dispatchcore import explain, report
from dispatchcore.domain import booking_from_json, merge_update, parse_booking
from dispatchcore.engine import Engine
from dispatchcore.errors import FieldError
from dispatchcore.rows import BookingRow

PROTOCOL_VERSION = "1.0"
RULES = [
    "LK-01",
    "LK-02",
    "LK-03",
    "LK-04",
    "CH-01",
    "CH-02",
    "CH-03",
    "CH-04",
    "CH-05",
    "CH-06",
    "CH-07",
    "CH-08",
    "CH-09",
    "CH-10",
    "CH-11",
    "CH-12",
    "FB-01",
    "FB-02",
    "RM-01",
    "RM-02",
    "MC-01",
    "MC-02",
    "MC-03",
    "MC-04",
    "MC-05",
    "MC-06",
    "MC-07",
    "MC-08",
    "MC-09",
    "MC-10",
    "MC-11",
    "MC-12",
    "RP-01",
    "RP-02",
]


def outputs(engine: Engine, booking_id: str) -> dict:
    """What the care system did for one booking: decisions and every delivery it made."""
    row = engine.store.existing(booking_id)
    steps = engine.store.steps_for(booking_id)
    deliveries = []
    for step in steps:
        if step.kind not in ("addmessage", "paper", "sms") or step.state == "skipped":
            continue
        result = step.result or {}
        deliveries.append(
            {
                "channel": {"addmessage": "digital", "paper": "paper", "sms": "sms"}[step.kind],
                "purpose": step.payload.get("purpose") or "reminder",
                "key": step.key,
                "state": step.state,
                "rule": step.rule,
                "attempts": step.attempts,
                "result_code": result.get("code"),
                "letter_id": result.get("letter_id"),
                "at": step.done_at.isoformat() if step.done_at else None,
            }
        )
    decisions = [
        {"key": d.key, "outcome": d.outcome, "rule_ids": d.rule_ids, "decided_at": d.decided_at.isoformat()}
        for d in engine.store.decisions_for(booking_id)
    ]
    return {
        "booking_id": booking_id,
        "business_object_id": row.business_object_id,
        "revision": row.revision,
        "cancelled": row.cancelled,
        "manual": row.manual,
        "decisions": decisions,
        "deliveries": deliveries,
        "settled": not any(s.state in ("todo", "sending") and s.due_at <= engine.clock.now() for s in steps),
    }


def status_of(row: BookingRow) -> str:
    return row.status


def create_blueprint(engine: Engine) -> Blueprint:
    adapter = Blueprint("dispatch_adapter", __name__, url_prefix="/dispatch/adapter")
    dispatch_api.answer_errors(adapter)

    def profiles() -> set[str]:
        return set(engine.base_settings.profiles)

    def known(booking_id: str) -> BookingRow:
        row = engine.store.booking(booking_id)
        if row is None:
            raise dispatch_api.UnknownBooking(booking_id)
        return row

    def status(booking_id: str, code: int = 200, row: BookingRow | None = None):
        row = row or known(booking_id)
        return jsonify(
            booking_id=booking_id,
            status=status_of(row),
            revision=row.revision,
            business_object_id=row.business_object_id,
            outcome=row.outcome,
        ), code

    @adapter.get("/health")
    def health():
        settings = engine.settings(fresh=True)
        return jsonify(
            status="ok",
            protocol=PROTOCOL_VERSION,
            vendor="Kallelse Testbed",
            system="reference dispatch core",
            version=_version(),
            profiles=sorted(settings.profiles),
            clock="simulator",
            paper="simulator",
            sms="adapter",
            settle=True,
            booking_status=True,
            consumer_hsa_id=settings.consumer_hsa_id,
            source_systems=sorted({p.source_system for p in settings.profiles.values()}),
            reports=True,
            reads_simulator_clock=True,
            idle=engine.store.count_due(engine.clock.now()) == 0,
            rules=RULES,
        )

    @adapter.get("/idle")
    def idle():
        pending = engine.store.count_due(engine.clock.now())
        return jsonify(idle=pending == 0, pending=pending)

    @adapter.post("/bookings")
    def create():
        booking = parse_booking(dispatch_api._body(), profiles())
        now = engine.clock.now()
        if booking.visit_start is not None and booking.visit_start <= now:
            raise FieldError("visit_start", "the visit has already started on the simulator clock")
        created, row, _ = engine.create(booking, now)
        return status(booking.booking_id, 201 if created else 200, row)

    @adapter.get("/bookings/<booking_id>")
    def get(booking_id: str):
        """Status (CH-11: manual) and the engine's account of its decisions, which the suite
        shows as the vendor's record in its evidence."""
        answer, code = status(booking_id)
        row = known(booking_id)
        return jsonify(
            {
                **answer.get_json(),
                "decision": explain.explain(
                    row, engine.store.decisions_for(booking_id), engine.store.steps_for(booking_id)
                ),
            }
        ), code

    @adapter.put("/bookings/<booking_id>")
    def update(booking_id: str):
        current = booking_from_json(known(booking_id).data)
        engine.update(merge_update(current, dispatch_api._body(), profiles()))
        return status(booking_id)

    @adapter.post("/bookings/<booking_id>/cancel")
    def cancel(booking_id: str):
        known(booking_id)
        engine.cancel(booking_id)
        return status(booking_id)

    @adapter.post("/clock")
    def clock():
        """This engine reads the simulator clock (Health.clock = simulator): nothing to set."""
        return jsonify(
            error="this system reads the simulator clock (GET /api/clock); move that one",
            field="clock",
            now=engine.clock.now().isoformat(),
        ), 409

    @adapter.get("/sent/sms")
    def sent_sms():
        personnummer = request.args.get("personnummer")
        if not personnummer:
            raise FieldError("personnummer", "is required")
        items = [
            {
                "booking_id": m["booking_id"],
                "recipient": m["recipient"],
                "text": m["text"],
                "sent_at": m["received_at"].isoformat(),
            }
            for m in engine.sent_sms(personnummer)
        ]
        return jsonify(items=items)

    @adapter.get("/reports")
    def reports():
        """RP-01/RP-02 for the bookings asked about: channel and read receipt per booking,
        the shares, the letters avoided and the savings (the suite compares them)."""
        wanted = set(request.args.getlist("booking_id"))
        rows, all_steps = engine.store.report_rows()
        bookings = [b for b in rows if b["booking_id"] in wanted]
        steps = [s for s in all_steps if s["booking_id"] in wanted]
        summary = report.summarize(bookings, steps, engine.settings().region_parameters())
        got = report.delivered_channels(steps)
        reads = {r["booking_id"]: r for r in report.read_receipts(engine, bookings, steps, refresh=True)}
        names = {frozenset({"digital"}): "digital_only", frozenset({"digital", "paper"}): "digital_and_paper"}
        names[frozenset({"paper"})] = "paper_only"
        items = [
            {
                "booking_id": b["booking_id"],
                "business_object_id": b["business_object_id"],
                "channel": names.get(frozenset(got.get(b["booking_id"], set())), "none"),
                "read": reads.get(b["booking_id"], {}).get("read", False),
                "read_at": reads.get(b["booking_id"], {}).get("read_at"),
            }
            for b in bookings
        ]
        return jsonify(
            items=items,
            shares=summary["shares"],
            paper_letters_avoided=summary["paper_letters_avoided"],
            savings_sek=summary["estimated_savings_sek"]["total"],
        )

    # extensions of the reference engine (not needed by the suite) -----------------------------

    @adapter.get("/outputs")
    def all_outputs():
        booking_id = request.args.get("booking_id")
        if booking_id:
            known(booking_id)
            return jsonify(outputs(engine, booking_id))
        rows = engine.store.list_bookings(limit=1000)
        return jsonify([outputs(engine, r.booking_id) for r in rows])

    return adapter


def _version() -> str:
    try:
        return importlib.metadata.version("kallelse-testbed")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
