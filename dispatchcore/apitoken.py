"""The care system's token for the simulator's control API in shared mode
(``kallelse serve --shared``, docs/platform.md): ``KALLELSE_API_TOKEN`` in the environment,
sent as ``Authorization: Bearer`` on the requests to the simulator's base URL only (the
paper outbox, the SMS gateway, callback registration, the clock), never to another host
a SOAP endpoint setting points at. Unset: no header (the single-user default)."""

from __future__ import annotations

import os

import requests

from rivta.auth import BearerFor

ENV = "KALLELSE_API_TOKEN"


def authorize(session: requests.Session, base_url: str) -> requests.Session:
    """``session`` with the environment's token for ``base_url`` (unchanged without one)."""
    token = os.environ.get(ENV, "").strip()
    if token:
        session.auth = BearerFor(token, base_url)
    return session
