"""Flask's signed-cookie sessions at the cost of what a request actually uses.

Only the citizen and trainer pages (and the shared-mode log-in) keep anything in the
session; the control API, the dispatch core's API and the print/SMS outboxes never do,
and they are most of the REST traffic (a screening campaign posts thousands of bookings
and letters). Flask's stock interface builds an itsdangerous serializer (key derivation
included) on every request before it even looks for a cookie, and reads seven cookie
settings after every request, also when the session is empty and untouched. This
subclass keeps the same behaviour (same cookie, same signature, same ``Vary: Cookie``)
and skips that work when there is nothing to read or write. A subclass rather than a
library: Flask-Session and friends store sessions server-side, which is not wanted here."""

from __future__ import annotations

from typing import Any

from flask.sessions import SecureCookieSessionInterface


class CheapSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._signer: tuple[Any, Any] | None = None  # (the keys it was built for, serializer)

    def get_signing_serializer(self, app):
        """Flask's serializer, built once per secret key (and fallbacks) instead of per request."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._signer is None or self._signer[0] != keys:
            self._signer = (keys, super().get_signing_serializer(app))
        return self._signer[1]

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what Flask answers for "no cookie", without the signer
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:  # Flask would return here too, after the settings
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
