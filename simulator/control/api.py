"""Control API blueprint: the simulated clock (other resources live in sibling modules)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from simulator.control.errors import bad_request, json_body


def create_blueprint(runtime) -> Blueprint:
    api = Blueprint("control", __name__, url_prefix="/api")

    @api.get("/clock")
    def get_clock():
        state = runtime.clock_store.clock.state()
        return jsonify(state.as_dict(runtime.clock.real_now()))

    @api.post("/clock")
    def set_clock():
        body = json_body()
        try:
            state = runtime.clock_store.command(body, actor=request.headers.get("X-Actor") or request.remote_addr)
        except ValueError as exc:
            field = str(exc).split(":")[0] if ":" in str(exc) else "body"
            return bad_request(field, str(exc))
        return jsonify(state.as_dict(runtime.clock.real_now()))

    @api.get("/clock/audit")
    def clock_audit():
        return jsonify(runtime.clock_store.audit())

    return api
