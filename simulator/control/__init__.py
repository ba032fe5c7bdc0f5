"""The JSON control and inspection API (``/api/...``): citizens, inboxes, clock, reset and
the OpenAPI document describing it all. A test tool, but it validates input and answers
errors as JSON naming the field (``errors.py``)."""

from __future__ import annotations


def blueprints(runtime) -> list:
    from simulator.control import api, citizens, guard, inbox, openapi, reset

    modules = (guard, api, citizens, inbox, reset, openapi)
    return [module.create_blueprint(runtime) for module in modules] + [guard.login_blueprint(runtime)]
