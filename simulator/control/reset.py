"""``POST /api/reset``: a clean slate between test cases without restarting the server.

Default: every part's state (``runtime.reset_hooks``), all inbox messages and the
citizens created through the API go; the seeded citizens stay as they are now.
``include_seed`` removes the seeded citizens too (an empty population);
``reseed`` removes them and loads the seeded population afresh, undoing any PATCH
made to a seeded citizen. The clock is not touched (``POST /api/clock {"reset": true}``)."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from simulator.control import models
from simulator.control.spec import API, answers, body
from simulator.inbox.store import InboxStore

log = logging.getLogger(__name__)


def reset(runtime, include_seed: bool, reseed: bool) -> dict:
    """Part hooks run first: their tables may refer to inbox messages or citizens."""
    include_seed = include_seed or reseed
    for hook in runtime.reset_hooks:
        hook(include_seed)
    inbox = InboxStore(runtime.db)
    messages = inbox.count()
    inbox.clear()
    before = runtime.citizens.all()
    runtime.citizens.delete_unseeded(include_seeded=include_seed)
    if reseed:
        from simulator.population.seed import seed_population

        runtime.citizens.replace_seeded(seed_population(runtime.clock.local_now().date()))
    after = runtime.citizens.all()
    removed = {c.personnummer for c in before} - {c.personnummer for c in after}
    return {
        "removed": {"inbox_messages": messages, "citizens": len(removed)},
        "citizens": len(after),
        "seeded_citizens": sum(1 for c in after if c.seeded),
        "reseeded": reseed,
    }


def create_blueprint(runtime) -> Blueprint:
    api = Blueprint("control_reset", __name__, url_prefix="/api")

    @api.post("/reset")
    @API.validate(json=models.ResetRequest, resp=answers(HTTP_200=models.ResetSummary), tags=["reset"])
    def post_reset():
        """A clean slate: every part's state, inbox messages, citizens created through the API."""
        asked = body(models.ResetRequest)
        summary = reset(runtime, include_seed=asked.include_seed, reseed=asked.reseed)
        log.info("reset by %s: %s", request.headers.get("X-Actor") or request.remote_addr, summary)
        return jsonify(summary)

    return api
