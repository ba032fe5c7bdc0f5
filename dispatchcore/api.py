"""REST JSON API of the dispatch core under /dispatch/api: the booking system's side
(create, update, cancel), the decision record, settings and the report. Errors are
``{"error", "field"}`` with 400 naming the field; nothing is stored half."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from dispatchcore import explain, models, report
from dispatchcore.domain import booking_from_json, merge_update, parse_booking
from dispatchcore.engine import BookingConflict, Engine
from dispatchcore.errors import FieldError
from dispatchcore.rows import BookingRow, StepRow
from dispatchcore.states import Outcome

log = logging.getLogger(__name__)
JSON_PREFIXES = ("/dispatch/api", "/dispatch/adapter")
HTTP_FIELDS = {404: "path", 405: "method", 413: "body", 415: "body"}
OUTCOMES = frozenset(o.value for o in Outcome)


class UnknownBooking(LookupError):
    """No booking with this id: 404 ``{"error", "field": "booking_id"}`` (the adapter spec)."""

    def __init__(self, booking_id: str):
        super().__init__(f"no booking {booking_id!r}")


OPENAPI = Path(__file__).resolve().parent / "openapi.json"


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise FieldError("body", "request body must be a JSON object (Content-Type: application/json)")
    return data


def _iso(value):
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def booking_view(engine: Engine, row: BookingRow, steps: list[StepRow] | None = None) -> dict[str, Any]:
    """The booking as the API shows it; ``steps`` when the caller has them (a new booking's)."""
    steps = engine.store.steps_for(row.booking_id) if steps is None else steps
    return _iso(
        {
            "booking_id": row.booking_id,
            "booking": row.data,
            "revision": row.revision,
            "business_object_id": row.business_object_id,
            "cancelled": row.cancelled,
            "manual": row.manual,
            "outcome": row.outcome,
            "read_at": row.read_at,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "status": row.status,
            "steps": [
                {k: getattr(s, k) for k in ("key", "kind", "rule", "state", "due_at", "done_at", "attempts", "result")}
                for s in steps
            ],
        }
    )


def error(message: str, field: str | None, status: int) -> tuple[Response, int]:
    return jsonify(error=message, field=field), status


def http_error(exc: HTTPException) -> tuple[Response, int]:
    code = exc.code or 500
    return error(exc.description or exc.name, HTTP_FIELDS.get(code), code)


def answer_errors(blueprint: Blueprint) -> None:
    """Every error of the API and the adapter is JSON ``{"error", "field"}``, never an HTML
    page: bad input -> 400 naming the field; unknown booking -> 404; the same booking id
    with other content -> 409; a bug -> 500 with a reference to the log line."""

    @blueprint.errorhandler(FieldError)
    def _field_error(exc: FieldError) -> tuple[Response, int]:
        return error(exc.message, exc.field, 400)

    @blueprint.errorhandler(UnknownBooking)
    def _unknown(exc: UnknownBooking) -> tuple[Response, int]:
        return error(str(exc.args[0]), "booking_id", 404)

    @blueprint.errorhandler(BookingConflict)
    def _conflict(exc: BookingConflict) -> tuple[Response, int]:
        return error(str(exc), "booking_id", 409)

    @blueprint.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response, int]:
        return http_error(exc)

    @blueprint.errorhandler(Exception)
    def _bug(exc: Exception) -> tuple[Response, int]:
        field = getattr(exc, "field", None)
        if isinstance(exc, ValueError) and isinstance(field, str):
            # the host's request guard (before any view) raises its own field error type:
            # the same shape, so the same answer
            return error(str(getattr(exc, "message", exc)), field, int(getattr(exc, "status", 400)))
        ref = uuid.uuid4().hex[:12]
        log.exception("unhandled error on %s %s (ref %s)", request.method, request.path, ref)
        return error(f"internal error in the dispatch core (ref {ref})", None, 500)


def answer_routing_errors(web: Flask) -> None:
    """404 (no such route) and 405 (wrong method) are raised before any blueprint is chosen,
    so Flask asks only the application's handlers: under the dispatch core's JSON prefixes
    they answer JSON; anywhere else the host's own handler (or Flask's page) answers."""
    for code in (404, 405):
        previous = web.error_handler_spec[None][code].get(HTTPException) or web.error_handler_spec[None][None].get(
            HTTPException
        )

        def handle(exc: HTTPException, previous: Any = previous) -> Any:
            if request.path.startswith(JSON_PREFIXES):
                return http_error(exc)
            return previous(exc) if previous is not None else exc

        web.register_error_handler(code, handle)


def create_blueprint(engine: Engine) -> Blueprint:
    api = Blueprint("dispatch_api", __name__, url_prefix="/dispatch/api")
    answer_errors(api)

    def profiles() -> set[str]:
        return set(engine.base_settings.profiles)

    def row_or_404(booking_id: str) -> BookingRow:
        row = engine.store.booking(booking_id)
        if row is None:
            raise UnknownBooking(booking_id)
        return row

    def check_future(booking, now=None) -> None:
        if booking.visit_start is not None and booking.visit_start <= (now or engine.clock.now()):
            raise FieldError("visit_start", "the visit has already started on the simulator clock")

    @api.get("/openapi.json")
    def openapi():
        return jsonify(json.loads(OPENAPI.read_text("utf-8")))

    @api.post("/bookings")
    def create_booking():
        booking = parse_booking(_body(), profiles())
        now = engine.clock.now()
        check_future(booking, now)
        created, row, planned = engine.create(booking, now)
        return jsonify(booking_view(engine, row, planned)), 201 if created else 200

    @api.get("/bookings")
    def list_bookings():
        try:
            limit = min(max(int(request.args.get("limit", 100)), 1), 1000)
            offset = max(int(request.args.get("offset", 0)), 0)
        except ValueError:
            raise FieldError("limit", "limit and offset must be whole numbers") from None
        outcome = request.args.get("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise FieldError("outcome", f"outcome must be one of {', '.join(sorted(OUTCOMES))}")
        return jsonify([booking_view(engine, r) for r in engine.store.list_bookings(limit, offset, outcome)])

    @api.get("/bookings/<booking_id>")
    def get_booking(booking_id: str):
        return jsonify(booking_view(engine, row_or_404(booking_id)))

    @api.put("/bookings/<booking_id>")
    def update_booking(booking_id: str):
        current = booking_from_json(row_or_404(booking_id).data)
        booking = merge_update(current, _body(), profiles())
        check_future(booking)
        return jsonify(booking_view(engine, engine.update(booking)))

    @api.post("/bookings/<booking_id>/cancel")
    def cancel_booking(booking_id: str):
        row_or_404(booking_id)
        return jsonify(booking_view(engine, engine.cancel(booking_id)))

    @api.get("/bookings/<booking_id>/decision")
    def decision(booking_id: str):
        row = row_or_404(booking_id)
        return jsonify(explain.explain(row, engine.store.decisions_for(booking_id), engine.store.steps_for(booking_id)))

    @api.post("/citizen-actions")
    def citizen_action():
        status, answer = engine.citizen_action(models.parse(models.CitizenActionIn, _body()))
        return jsonify(answer), status

    @api.get("/report")
    def get_report():
        return jsonify(report.build(engine, refresh=request.args.get("refresh") in ("1", "true")))

    @api.get("/settings")
    def get_settings():
        settings = engine.settings(fresh=True)
        return jsonify(
            endpoints={**settings.endpoints, "timeout_seconds": settings.timeout_seconds},
            consumer_hsa_id=settings.consumer_hsa_id,
            logical_addresses=settings.logical_addresses,
            profiles={k: p.as_dict() for k, p in settings.profiles.items()},
        )

    @api.put("/settings")
    def put_settings():
        body = models.parse(models.SettingsIn, _body())
        stored = engine.store.stored_settings() or {}
        new = {**stored, "endpoints": {**stored.get("endpoints", {}), **body.endpoints}}
        engine.base_settings.with_endpoints(new.get("endpoints"))  # validates
        engine.store.store_settings(new)
        return get_settings()

    return api
