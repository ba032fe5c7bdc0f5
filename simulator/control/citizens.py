"""``/api/citizens``: the test population as testers shape it (create the person a test
needs, turn a notification setting off, mark someone deceased) and look it up."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request, url_for

from simulator.control import params
from simulator.control.errors import BadRequest, Conflict, NotFound, json_body
from simulator.population.domain import Citizen, FieldError, apply_json
from simulator.population.personnummer import mask

log = logging.getLogger(__name__)

# Set by the seed only: a citizen created here is never part of the seeded population
# (POST /api/reset removes it, keeps seeded ones).
READ_ONLY_FIELDS = ("seeded",)


def _checked(citizen: Citizen | None, body: dict) -> Citizen:
    for name in READ_ONLY_FIELDS:
        if name in body:
            raise BadRequest(name, 'is read-only: it is set by the seed (POST /api/reset {"reseed": true})')
    try:
        return apply_json(citizen, body)
    except FieldError as exc:
        raise BadRequest(exc.field, exc.message) from None


def _existing(runtime, personnummer: str) -> Citizen:
    citizen = runtime.citizens.get(params.personnummer(personnummer))
    if citizen is None:
        raise NotFound("personnummer", "no citizen with this personnummer")
    return citizen


def _matches(citizen: Citizen, label: str | None, seeded: bool | None) -> bool:
    if seeded is not None and citizen.seeded != seeded:
        return False
    return label is None or (citizen.label or "").casefold() == label.casefold()


def create_blueprint(runtime) -> Blueprint:
    api = Blueprint("control_citizens", __name__, url_prefix="/api")

    @api.get("/citizens")
    def list_citizens():
        limit = params.query_int("limit", 100, 1, 1000)
        offset = params.query_int("offset", 0, 0, 10_000_000)
        label, seeded = request.args.get("label"), params.query_bool("seeded")
        found = [c for c in runtime.citizens.all() if _matches(c, label, seeded)]
        return jsonify(
            total=len(found), offset=offset, limit=limit, items=[c.to_json() for c in found[offset : offset + limit]]
        )

    @api.post("/citizens")
    def create_citizen():
        citizen = _checked(None, json_body())
        if not runtime.citizens.create(citizen):
            raise Conflict("personnummer", "a citizen with this personnummer exists; PATCH or DELETE it")
        log.info("citizen %s created through the control API", mask(citizen.personnummer))
        location = url_for(".get_citizen", personnummer=citizen.personnummer)
        return jsonify(citizen.to_json()), 201, {"Location": location}

    @api.get("/citizens/<personnummer>")
    def get_citizen(personnummer: str):
        return jsonify(_existing(runtime, personnummer).to_json())

    @api.patch("/citizens/<personnummer>")
    def update_citizen(personnummer: str):
        citizen = _checked(_existing(runtime, personnummer), json_body())
        runtime.citizens.save(citizen)
        log.info("citizen %s changed through the control API", mask(citizen.personnummer))
        return jsonify(citizen.to_json())

    @api.delete("/citizens/<personnummer>")
    def delete_citizen(personnummer: str):
        if not runtime.citizens.delete(params.personnummer(personnummer)):
            raise NotFound("personnummer", "no citizen with this personnummer")
        log.info("citizen %s deleted through the control API", mask(personnummer))
        return "", 204

    return api
