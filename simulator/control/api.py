"""Control API blueprint: health and the simulated clock (other resources live in sibling
modules). The clock refuses at the door what it could not serve: instants outside
1900–2200, a speed above 100,000, an advance of more than 300 years, and any command
that would carry the clock out of that range within an hour of real time."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from simulator.clock import ClockState, apply_command
from simulator.control import models
from simulator.control.spec import API, answers, body
from simulator.errors import FieldError


def _servable(state: ClockState, real_now, command: dict) -> None:
    """Now and an hour of real time from now, the clock still reads 1900–2200."""
    field = "set" if "set" in command else "advance" if "advance" in command else "speed"
    for later in (real_now, real_now + models.CLOCK_HORIZON):
        try:
            models._in_range(state.now(later))
        except (ValueError, OverflowError):
            raise FieldError(
                field,
                f"would move the clock outside {models.EARLIEST:%Y}–{models.LATEST:%Y} "
                f"(within {models.CLOCK_HORIZON} of real time at speed {state.speed:g})",
            ) from None


def create_blueprint(runtime) -> Blueprint:
    api = Blueprint("control", __name__, url_prefix="/api")
    clock_store = runtime.clock_store

    @api.get("/health")
    @API.validate(resp=answers(HTTP_200=models.Health), tags=["health"])
    def health():
        """Liveness: the simulated time and the SOAP endpoints served."""
        endpoints = current_app.config.get("SOAP_ENDPOINTS", {})
        return jsonify(status="ok", clock=runtime.clock.now().isoformat(), endpoints=sorted(endpoints))

    @api.get("/clock")
    @API.validate(resp=answers(HTTP_200=models.ClockState), tags=["clock"])
    def get_clock():
        """The simulated clock: now (UTC and Swedish time), offset, speed, frozen."""
        state = clock_store.clock.state()
        return jsonify(state.as_dict(runtime.clock.real_now()))

    @api.post("/clock")
    @API.validate(json=models.ClockCommand, resp=answers(HTTP_200=models.ClockState), tags=["clock"])
    def set_clock():
        """Set, advance, freeze, speed up or reset the simulated time (audited; X-Actor names who)."""
        command = body(models.ClockCommand).model_dump(exclude_none=True)
        real_now = runtime.clock.real_now()
        try:
            preview = apply_command(clock_store.clock.state(), command, real_now)
        except (ValueError, OverflowError) as exc:
            field, _, message = str(exc).partition(": ")
            raise FieldError(field if message else "body", message or str(exc)) from None
        if not command.get("reset"):
            _servable(preview, real_now, command)
        actor = (request.headers.get("X-Actor") or request.remote_addr or "")[:200]
        state = clock_store.command(command, actor=actor)
        return jsonify(state.as_dict(runtime.clock.real_now()))

    @api.get("/clock/audit")
    @API.validate(resp=answers(HTTP_200=models.ClockAudit), tags=["clock"])
    def clock_audit():
        """Who moved time when, newest first."""
        return jsonify(clock_store.audit())

    return api
