"""``/api/citizens``: the test population as testers shape it (create the person a test
needs, turn a notification setting off, mark someone deceased) and look it up.

Input is read by the models in ``models.py`` (``CitizenCreate``, ``CitizenPatch``); this
module only merges what was given onto the stored citizen and checks the rules between
fields on the result, so a PATCH is judged on the citizen as it would be stored."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request, url_for

from simulator.control import models, params
from simulator.control.spec import API, Error, answers, body, query
from simulator.errors import Conflict, NotFound
from simulator.population.domain import Citizen, apply_json
from simulator.population.personnummer import mask

log = logging.getLogger(__name__)


def merged(citizen: Citizen | None, fields: models.CitizenFields) -> Citizen:
    """``citizen`` (None: a new one) with the given members changed. The model has checked
    the shapes at the door; the population's own reader (``apply_json``) then merges account
    and address member by member, reads the register attributes in depth, derives the
    county/municipality/parish codes from a new address and writes phone numbers in E.164,
    so the API and the seed build citizens one way. The rules between fields are checked on
    the result, so a PATCH is judged on the citizen as it would be stored."""
    changes = fields.changes()
    if citizen is not None and changes.get("personnummer", citizen.personnummer) != citizen.personnummer:
        raise Conflict("personnummer", "cannot be changed; delete and create instead")
    return apply_json(citizen, request.get_json())


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
    @API.validate(query=models.CitizenQuery, resp=answers(HTTP_200=models.CitizenPage), tags=["citizens"])
    def list_citizens():
        """The population, ordered by personnummer, paged; ``total`` counts all matches."""
        asked = query(models.CitizenQuery)
        found = [c for c in runtime.citizens.all() if _matches(c, asked.label, asked.seeded)]
        page = found[asked.offset : asked.offset + asked.limit]
        return jsonify(total=len(found), offset=asked.offset, limit=asked.limit, items=[c.to_json() for c in page])

    @api.post("/citizens")
    @API.validate(
        json=models.CitizenCreate,
        resp=answers(HTTP_201=models.Citizen, HTTP_409=Error),
        tags=["citizens"],
    )
    def create_citizen():
        """Create a citizen (personnummer, given_name, surname required; the rest has defaults)."""
        fields = body(models.CitizenCreate)
        citizen = merged(None, fields)
        if not runtime.citizens.create(citizen):
            raise Conflict("personnummer", "a citizen with this personnummer exists; PATCH or DELETE it")
        log.info("citizen %s created through the control API", mask(citizen.personnummer))
        location = url_for(".get_citizen", personnummer=citizen.personnummer)
        return jsonify(citizen.to_json()), 201, {"Location": location}

    @api.get("/citizens/<personnummer>")
    @API.validate(resp=answers(HTTP_200=models.Citizen, HTTP_404=Error), tags=["citizens"])
    def get_citizen(personnummer: str):
        """One citizen."""
        return jsonify(_existing(runtime, personnummer).to_json())

    @api.patch("/citizens/<personnummer>")
    @API.validate(
        json=models.CitizenPatch,
        resp=answers(HTTP_200=models.Citizen, HTTP_404=Error, HTTP_409=Error),
        tags=["citizens"],
    )
    def update_citizen(personnummer: str):
        """Change the members given (account and address merge member by member)."""
        citizen = merged(_existing(runtime, personnummer), body(models.CitizenPatch))
        runtime.citizens.save(citizen)
        log.info("citizen %s changed through the control API", mask(citizen.personnummer))
        return jsonify(citizen.to_json())

    @api.delete("/citizens/<personnummer>")
    @API.validate(resp=answers(HTTP_204=None, HTTP_404=Error), tags=["citizens"])
    def delete_citizen(personnummer: str):
        """Remove a citizen (the inbox stays until a reset)."""
        if not runtime.citizens.delete(params.personnummer(personnummer)):
            raise NotFound("personnummer", "no citizen with this personnummer")
        log.info("citizen %s deleted through the control API", mask(personnummer))
        return "", 204

    return api
