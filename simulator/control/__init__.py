"""The JSON control and inspection API (``/api/...``): citizens, inboxes, clock, reset.
A test tool, but it validates input and answers errors as JSON naming the field."""
from __future__ import annotations


def blueprints(runtime) -> list:
    from simulator.control.api import create_blueprint
    return [create_blueprint(runtime)]
