"""The shared-mode check in front of every request, and who the caller is.

In shared mode every ``/api`` call, ``/metrics``, ``/dispatch/api`` and every
state-changing request (POST, PUT, PATCH, DELETE) anywhere needs a token:
``Authorization: Bearer <token>`` (401 JSON without a valid one, 403 JSON when the role
may not do this) or a login at ``/login``. The pages (trainer, dispatch, certification,
the citizen inbox) need a login; a vendor may log in for its own conformance runs only.
Open are: health, the OpenAPI document, the log-in itself, static files and contract
files (GET), SOAP (identified by its consumer header or certificate), and the one route
where the simulator calls a care system back (see ``CALLBACK_RECEIVERS``). Outside shared
mode nothing is asked."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template_string, request, session, url_for
from flask.typing import ResponseReturnValue

from simulator.auth.store import TokenStore
from simulator.auth.tokens import READING, Role, Token, may
from simulator.errors import Forbidden, Unauthorized

PUBLIC_ENDPOINTS = frozenset({"control.health", "control_openapi.openapi_document", "auth.login", "auth.logout"})
# GET-only files anyone may fetch: the pages' CSS, the contracts' WSDL/XSD and the public
# key that verifies a conformance certificate.
PUBLIC_FILES = frozenset({"citizen_pages.static", "dispatch_pages.static", "contract_file", "certification.public_key"})
# Where the simulator posts a citizen's booking action (a callback a care system registered):
# the simulator's sender holds no token and must not hand one to a registered URL, so the
# embedded care system's receiver takes the call as its real counterpart would, unauthenticated.
CALLBACK_RECEIVERS = frozenset({"dispatch_api.citizen_action"})
# Pages: without a login, a GET goes to /login.
PAGES = ("trainer_pages.", "dispatch_pages.", "certification.", "citizen_pages.")
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


def _needs_token(path: str, method: str) -> bool:
    return method not in READING or path.startswith(("/api/", "/dispatch/api/")) or path == "/metrics"


def _page(endpoint: str | None) -> bool:
    return endpoint is not None and endpoint.startswith(PAGES)


def exempt(endpoint: str | None, method: str) -> bool:
    """Whether shared mode lets this request through without a token."""
    if endpoint in PUBLIC_ENDPOINTS or endpoint in CALLBACK_RECEIVERS:
        return True
    return endpoint in PUBLIC_FILES and method in READING


def check_access(tokens: TokenStore) -> Callable[[], ResponseReturnValue | None]:
    """A before-request hook for this app's token store."""

    def check() -> ResponseReturnValue | None:
        endpoint, method = request.endpoint, request.method
        if not shared() or exempt(endpoint, method):
            return None
        secret = _bearer()
        if secret is not None:
            token = tokens.find(secret)
        else:
            token_id = session.get(SESSION_KEY)
            token = tokens.get(token_id) if isinstance(token_id, int) else None
        if token is None:
            if _page(endpoint) and method in READING:
                return redirect(url_for("auth.login", next=request.full_path))
            if _needs_token(request.path, method) or _page(endpoint):
                raise Unauthorized("Authorization", "shared mode: send Authorization: Bearer <token> (kallelse tokens)")
            return None  # an unknown path: its 404
        g.kallelse_caller = token
        if endpoint is None and not _needs_token(request.path, method):
            return None
        if not may(token.role, method, endpoint):
            if _page(endpoint) and token.role is Role.VENDOR:
                raise Forbidden("role", "a vendor token opens its own conformance runs (/certifiering/) only")
            raise Forbidden("role", f"a {token.role} token may not {method} {request.path[:200]}")
        return None

    return check


LOGIN_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Logga in – Kallelse Testbed</title></head>
<body><main><h1>Logga in</h1><p>Delat läge: klistra in din token (<code>kallelse tokens create</code>). Admin och läsare ser alla sidor, en leverantör sina egna certifieringskörningar.</p>
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
            elif token is None:
                error = "Okänd eller återkallad token."
            else:
                session[SESSION_KEY] = token.id
                target = _safe_next(request.form.get("next"))
                if token.role is Role.VENDOR and not target.startswith("/certifiering/"):
                    target = "/certifiering/"  # the one page a vendor has
                return redirect(target)
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
