"""The shared-mode check in front of every request, and who the caller is.

In shared mode every ``/api`` call, ``/metrics`` and ``/dispatch/api`` needs
``Authorization: Bearer <token>`` (401 JSON without a valid one, 403 JSON when the role
may not do this); the admin pages (trainer, dispatch) need a login at ``/login`` with an
admin or viewer token. The care-system-facing parts (SOAP, the paper outbox and callback
registration, the citizen pages, the dispatch adapter and SMS gateway) are unchanged. Outside shared mode nothing is asked."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template_string, request, session, url_for

from simulator.auth.store import TokenStore
from simulator.auth.tokens import Role, Token, may
from simulator.errors import Forbidden, Unauthorized

PUBLIC_ENDPOINTS = frozenset({"control.health", "control_openapi.openapi_document", "auth.login", "auth.logout"})
# What a care system calls as a care system, like SOAP and the SMS gateway: identified by its
# consumer header, not by a token (the reference dispatch worker has none).
CARE_SYSTEM_ENDPOINTS = frozenset({"citizen_api.submit_letter", "citizen_api.register_callback"})
ADMIN_PAGES = ("trainer_pages.", "dispatch_pages.")
SESSION_KEY = "kallelse_token_id"


def shared(app=None) -> bool:
    return bool((app or current_app).config.get("KALLELSE_SHARED"))


def caller() -> Token | None:
    return g.get("kallelse_caller")


def caller_consumer() -> str | None:
    """The consumer HSA-id a vendor is bound to; None for everyone else (who sees all)."""
    token = caller()
    return token.consumer if token is not None and token.role is Role.VENDOR else None


def _bearer() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _needs_token(path: str) -> bool:
    return path.startswith(("/api/", "/dispatch/api/")) or path == "/metrics"


def _admin_page(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint.startswith(ADMIN_PAGES)  # type: ignore[union-attr]


def check_access(tokens: TokenStore):
    """A before-request hook for this app's token store."""

    def check():
        if not shared() or request.endpoint in PUBLIC_ENDPOINTS | CARE_SYSTEM_ENDPOINTS:
            return None
        secret = _bearer()
        if secret is not None:
            token = tokens.find(secret)
        else:
            token_id = session.get(SESSION_KEY)
            token = tokens.get(token_id) if isinstance(token_id, int) else None
        if token is None:
            if _admin_page(request.endpoint):
                return redirect(url_for("auth.login", next=request.full_path))
            if _needs_token(request.path):
                raise Unauthorized("Authorization", "shared mode: send Authorization: Bearer <token> (kallelse tokens)")
            return None
        g.kallelse_caller = token
        if _admin_page(request.endpoint) and token.role is Role.VENDOR:
            raise Forbidden("role", "the admin pages are for admin and viewer tokens")
        if (_needs_token(request.path) or _admin_page(request.endpoint)) and not may(
            token.role, request.method, request.endpoint
        ):
            raise Forbidden("role", f"a {token.role} token may not {request.method} {request.path[:200]}")
        return None

    return check


LOGIN_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Logga in – Kallelse Testbed</title></head>
<body><main><h1>Logga in</h1><p>Delat läge: klistra in en admin- eller läsartoken (<code>kallelse tokens create</code>).</p>
{% if error %}<p role="alert">{{ error }}</p>{% endif %}
<form method="post"><input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="next" value="{{ next }}">
<label>Token <input type="password" name="token" autocomplete="off" required></label> <button>Logga in</button></form>
</main></body></html>"""


def _safe_next(target: str | None) -> str:
    """Only a path on this server (no open redirect)."""
    parts = urlsplit(target or "/")
    return target if target and not parts.scheme and not parts.netloc and target.startswith("/") else "/"


def create_blueprint(tokens: TokenStore) -> Blueprint:
    pages = Blueprint("auth", __name__)

    @pages.route("/login", methods=["GET", "POST"])
    def login():
        error = None
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            token = tokens.find(request.form.get("token", "").strip())
            if not sent or not hmac.compare_digest(sent, session.get("kallelse_login_csrf", "")):
                error = "Formuläret har gått ut. Försök igen."
            elif token is None or token.role is Role.VENDOR:
                error = "Okänd token, eller en leverantörstoken (sidorna är för admin och läsare)."
            else:
                session[SESSION_KEY] = token.id
                return redirect(_safe_next(request.form.get("next")))
        session.setdefault("kallelse_login_csrf", secrets.token_urlsafe(24))
        html = render_template_string(
            LOGIN_PAGE, error=error, csrf=session["kallelse_login_csrf"], next=_safe_next(request.args.get("next"))
        )
        return html, 401 if error else 200

    @pages.post("/logout")
    def logout():
        session.pop(SESSION_KEY, None)
        return redirect(url_for("auth.login"))

    return pages
