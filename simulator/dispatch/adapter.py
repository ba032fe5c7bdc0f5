"""The conformance vendor-adapter protocol, implemented by the reference engine under
/dispatch/adapter (documented in docs/dispatch.md). A vendor puts the same small REST
surface in front of its own care system so that the conformance suite can drive it:
bookings in, clock mode, what the system sent out, health (with "idle" so the suite knows
when the system has finished what is due)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from simulator.dispatch import api as dispatch_api
from simulator.dispatch import explain
from simulator.dispatch.domain import booking_from_json, merge_update, parse_booking
from simulator.dispatch.engine import BookingConflict, Engine
from simulator.dispatch.settings import SettingsError
from simulator.population.domain import FieldError

PROTOCOL_VERSION = "1.0"
RULES = ["LK-01", "LK-02", "LK-03", "LK-04", "CH-01", "CH-02", "CH-03", "CH-04", "CH-05", "CH-06", "CH-07", "CH-08",
         "CH-09", "CH-10", "CH-11", "CH-12", "FB-01", "FB-02", "RM-01", "RM-02", "MC-01", "MC-02", "MC-03", "MC-04",
         "MC-05", "MC-06", "MC-07", "MC-08", "MC-09", "MC-10", "MC-11", "MC-12", "RP-01", "RP-02"]


def outputs(engine: Engine, booking_id: str) -> dict:
    """What the care system did for one booking: decisions and every delivery it made."""
    row = engine.store.booking(booking_id)
    steps = engine.store.steps_for(booking_id)
    deliveries = []
    for step in steps:
        if step["kind"] not in ("addmessage", "paper", "sms") or step["state"] == "skipped":
            continue
        result = step["result"] or {}
        deliveries.append({"channel": {"addmessage": "digital", "paper": "paper", "sms": "sms"}[step["kind"]],
                           "purpose": step["payload"].get("purpose") or "reminder", "key": step["key"],
                           "state": step["state"], "rule": step["rule"], "attempts": step["attempts"],
                           "result_code": result.get("code"), "letter_id": result.get("letter_id"),
                           "at": step["done_at"].isoformat() if step["done_at"] else None})
    decisions = [{"key": d["key"], "outcome": d["outcome"], "rule_ids": d["rule_ids"],
                  "decided_at": d["decided_at"].isoformat()} for d in engine.store.decisions_for(booking_id)]
    return {"booking_id": booking_id, "business_object_id": row["business_object_id"], "revision": row["revision"],
            "cancelled": row["cancelled"], "manual": row["manual"], "decisions": decisions,
            "deliveries": deliveries,
            "settled": not any(s["state"] in ("todo", "sending") and s["due_at"] <= engine.clock.now() for s in steps)}


def create_blueprint(engine: Engine) -> Blueprint:
    adapter = Blueprint("dispatch_adapter", __name__, url_prefix="/dispatch/adapter")

    @adapter.errorhandler(FieldError)
    def _field(exc: FieldError):
        return jsonify(error=exc.message, field=exc.field), 400

    @adapter.errorhandler(SettingsError)
    def _settings(exc: SettingsError):
        return jsonify(error=exc.message, field=exc.field), 400

    @adapter.errorhandler(BookingConflict)
    def _conflict(exc: BookingConflict):
        return jsonify(error=str(exc), field="booking_id"), 409

    def profiles() -> set[str]:
        return set(engine.base_settings.profiles)

    def known(booking_id: str) -> dict:
        row = engine.store.booking(booking_id)
        if row is None:
            raise FieldError("booking_id", f"no booking {booking_id!r}")
        return row

    @adapter.get("/health")
    def health():
        settings = engine.settings(fresh=True)
        return jsonify(status="ok", protocol=PROTOCOL_VERSION, vendor="Kallelse Testbed reference dispatch core",
                       reads_simulator_clock=True, idle=engine.store.count_due(engine.clock.now()) == 0,
                       rules=RULES, profiles=sorted(settings.profiles), mutations=sorted(settings.mutations),
                       # conformance/adapter-openapi.yaml: wiring and what this adapter reports
                       system="reference dispatch core", version=PROTOCOL_VERSION, clock="simulator",
                       paper="simulator", sms="adapter", booking_status=True,
                       consumer_hsa_id=settings.consumer_hsa_id)

    @adapter.post("/bookings")
    def create():
        booking = parse_booking(dispatch_api._body(), profiles())
        created, _ = engine.create(booking)
        return jsonify(booking_id=booking.booking_id, created=created), 201 if created else 200

    @adapter.put("/bookings/<booking_id>")
    def update(booking_id: str):
        current = booking_from_json(known(booking_id)["data"])
        row = engine.update(merge_update(current, dispatch_api._body(), profiles()))
        return jsonify(booking_id=booking_id, revision=row["revision"])

    @adapter.post("/bookings/<booking_id>/cancel")
    def cancel(booking_id: str):
        known(booking_id)
        engine.cancel(booking_id)
        return jsonify(booking_id=booking_id, cancelled=True)

    @adapter.get("/bookings/<booking_id>")
    def booking(booking_id: str):
        """Status (CH-11: manual) and the engine's account of its decisions."""
        row = known(booking_id)
        return jsonify(booking_id=booking_id, status=dispatch_api.booking_view(engine, row)["status"],
                       decision=explain.explain(row, engine.store.decisions_for(booking_id),
                                                engine.store.steps_for(booking_id)))

    @adapter.get("/sent/sms")
    def sent_sms():
        """The SMS the engine sent through its gateway (RM-01, MC-12)."""
        personnummer = request.args.get("personnummer")
        if not personnummer:
            raise FieldError("personnummer", "is required")
        return jsonify(items=[{"recipient": m["recipient"], "text": m["text"],
                               "sent_at": m["received_at"].isoformat()} for m in engine.store.sms_list(personnummer)])

    @adapter.post("/clock")
    def clock():
        body = dispatch_api._body()
        value = body.get("reads_simulator_clock")
        if not isinstance(value, bool):
            raise FieldError("reads_simulator_clock", "must be true or false")
        if not value:
            return jsonify(error="this engine always reads the simulator clock (GET /api/clock)",
                           field="reads_simulator_clock"), 409
        return jsonify(reads_simulator_clock=True, now=engine.clock.now().isoformat())

    @adapter.get("/outputs")
    def all_outputs():
        booking_id = request.args.get("booking_id")
        if booking_id:
            known(booking_id)
            return jsonify(outputs(engine, booking_id))
        rows = engine.store.list_bookings(limit=1000)
        return jsonify([outputs(engine, r["booking_id"]) for r in rows])

    @adapter.put("/mutations")
    def mutations():
        """Switch deliberately broken variants on (the conformance suite's self-test)."""
        body = dispatch_api._body()
        engine.base_settings.with_changes(mutations=body.get("mutations"))     # validates
        stored = engine.store.stored_settings() or {}
        engine.store.store_settings({**stored, "mutations": body.get("mutations")})
        return jsonify(mutations=sorted(engine.settings(fresh=True).mutations))

    return adapter
