"""What every request to the web side passes before a view runs, in every part:

1. **Cross-origin state changes are refused** (every mode). A browser page on another
   origin can send a POST without CORS (``fetch(url, {mode: "no-cors"})``, a form); the
   browser then names that origin in ``Origin`` and says ``cross-site``/``same-site`` in
   ``Sec-Fetch-Site``. Either one answers 403. A client that is not a browser (curl,
   requests, a CI script, a SOAP client) sends neither and is not affected, and the
   citizen pages' own forms come from the same origin (their CSRF tokens stay).
2. **JSON bodies are bounded before they are parsed**: at most ``MAX_JSON_BYTES`` and
   ``MAX_JSON_DEPTH`` levels of nesting, so a 100,000-deep array is a 400 naming ``body``,
   not a RecursionError; a body that is not a JSON object is a 400 too.
3. **Shared mode** (``kallelse serve --shared``): the caller's token and role
   (``simulator.auth``)."""

from __future__ import annotations

import json
import os
import re

from flask import Blueprint, request

from simulator.auth import access
from simulator.auth.store import TokenStore
from simulator.control.errors import is_json_api
from simulator.errors import FieldError, Forbidden

MAX_JSON_BYTES = 8 * 1024 * 1024  # a paper letter's PDF travels base64 in JSON (5 MB)
MAX_JSON_DEPTH = 32
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# a JSON string, written as "unrolled loop": a run of plain characters at a time, not one
# alternation per character (which made a letter's 2-5 KB of base64 the slow part)
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_JSON_TYPES = re.compile(r"application/(?:[\w.+-]+\+)?json")


def json_depth(raw: bytes) -> int:
    """Deepest nesting of ``[``/``{`` outside strings, without parsing (linear, no recursion)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b'""', raw)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _openers(raw: bytes) -> int:
    """How many ``[``/``{`` the body has at all, strings included: nesting can be no deeper,
    so a body with few of them (a booking, a letter) needs no scan."""
    return raw.count(b"[") + raw.count(b"{")


def allowed_origins() -> set[str]:
    """Other origins a deployment trusts (``KALLELSE_ALLOWED_ORIGINS``, comma-separated),
    e.g. the public URL in front of a reverse proxy."""
    return {o.strip().rstrip("/") for o in os.environ.get("KALLELSE_ALLOWED_ORIGINS", "").split(",") if o.strip()}


def check_origin() -> None:
    if request.method not in STATE_CHANGING:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        raise Forbidden("origin", f"state-changing request from another site refused (Sec-Fetch-Site: {site})")
    origin = request.headers.get("Origin")
    if origin is None:
        return
    if origin == "null" and site == "same-origin":
        # A page with ``Referrer-Policy: no-referrer`` (the citizen pages) makes Chromium send
        # ``Origin: null`` for its own form posts; the browser's Sec-Fetch-Site still vouches
        # for the origin. A null Origin without it (a sandboxed frame elsewhere) stays refused.
        return
    own = request.host_url.rstrip("/")
    if origin.rstrip("/") != own and origin.rstrip("/") not in allowed_origins():
        raise Forbidden("origin", f"state-changing request from another origin refused ({origin[:100]})")


def check_json_body() -> None:
    """Bound, then parse, the JSON body of an ``/api`` (or ``/dispatch/api``) call; Flask
    caches the result, so the views and spectree read the parsed object."""
    if not is_json_api(request.path) or request.method not in STATE_CHANGING:
        return
    if request.content_length is None and "chunked" not in request.headers.get("Transfer-Encoding", ""):
        return
    mimetype = request.mimetype
    if mimetype == "multipart/form-data" or (not mimetype and not request.content_length):
        return
    if not _JSON_TYPES.fullmatch(mimetype):
        raise FieldError("body", "request body must be JSON (Content-Type: application/json)")
    raw = request.stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise FieldError("body", f"JSON body over {MAX_JSON_BYTES} bytes")
    if not raw.strip():
        request._cached_json = ({}, {})  # an empty body is an empty object
        return
    if _openers(raw) > MAX_JSON_DEPTH and json_depth(raw) > MAX_JSON_DEPTH:
        raise FieldError("body", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise FieldError("body", "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise FieldError("body", "request body must be a JSON object")
    request._cached_json = (data, data)


def create_blueprint(runtime) -> Blueprint:
    guard = Blueprint("control_guard", __name__)
    shared = bool(getattr(runtime.config, "shared", False))
    guard.record_once(lambda state: state.app.config.__setitem__("KALLELSE_SHARED", shared))
    guard.before_app_request(check_origin)
    guard.before_app_request(access.check_access(TokenStore(runtime.db)))
    guard.before_app_request(check_json_body)
    return guard


def login_blueprint(runtime) -> Blueprint:
    """``/login`` and ``/logout`` for the admin pages in shared mode."""
    return access.create_blueprint(TokenStore(runtime.db))
