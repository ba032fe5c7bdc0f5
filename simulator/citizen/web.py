"""What the citizen and trainer pages share: the Jinja environment details (Swedish
dates, masked numbers), the session key and a CSRF token on every form."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from flask import Blueprint, abort, request, session

from simulator.clock import SWEDEN
from simulator.population.personnummer import mask

FORM_FIELD = "csrf_token"


def sv_datetime(value) -> str:
    """``2026-11-22 10:15`` in Swedish time; what the inbox shows."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(SWEDEN).strftime("%Y-%m-%d %H:%M")


def pnr_display(value: str | None) -> str:
    """YYYYMMDD-NNNN, the way a Swede writes a personnummer."""
    if not value or len(value) != 12:
        return value or ""
    return f"{value[:8]}-{value[8:]}"


def csrf_token() -> str:
    if FORM_FIELD not in session:
        session[FORM_FIELD] = secrets.token_urlsafe(24)
    return session[FORM_FIELD]


def check_csrf() -> None:
    """Every state-changing form carries the session's token (SameSite=Lax alone does
    not cover a same-site page posting to the simulator)."""
    sent = request.form.get(FORM_FIELD, "")
    if not sent or not hmac.compare_digest(sent, session.get(FORM_FIELD, "")):
        abort(400, "Formuläret har gått ut. Ladda om sidan och försök igen.")


def install(web, secret_key: str, blueprint: Blueprint) -> None:
    """Sessions for the citizen pages; leaves any key another part set alone."""
    if not web.secret_key:
        web.secret_key = secret_key
    if not web.config.get("SESSION_COOKIE_SAMESITE"):
        web.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    blueprint.add_app_template_filter(sv_datetime, "sv_datetime")
    blueprint.add_app_template_filter(pnr_display, "pnr")
    blueprint.add_app_template_filter(mask, "mask")
    blueprint.add_app_template_global(csrf_token, "csrf_token")
    blueprint.after_request(security_headers)


# The pages need no script at all, so none may run: a second wall behind the escaping.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
