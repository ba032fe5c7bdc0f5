"""JSON errors for every part's ``/api``: always ``{"error": ..., "field": ...}``, never
HTML, never a stack trace.

There is one error type (``simulator.errors.FieldError`` and its subclasses, re-exported
here) and one set of handlers, registered on the whole application: a pydantic
``ValidationError`` (a request model refused the input) becomes the same 400 naming the
field as a dotted path from pydantic's ``loc``; Flask's own 404/405/413 under ``/api``
become JSON naming ``path``, ``method`` or ``body`` (under ``/dispatch/api`` too)."""

from __future__ import annotations

import logging
import re
import uuid

from flask import jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from simulator.errors import Conflict, FieldError, Forbidden, NotFound, Unauthorized

log = logging.getLogger(__name__)
_PERSONNUMMER = re.compile(r"(?<![0-9])([0-9]{8})[0-9pPtTfF][0-9]{3}(?![0-9])")

# One error type: the names the control API's modules have always used.
ApiError = BadRequest = FieldError
__all__ = ["ApiError", "BadRequest", "Conflict", "FieldError", "Forbidden", "NotFound", "Unauthorized"]

# What an HTTP error of Flask's own is about, for the ``field`` member.
_HTTP_FIELDS = {404: "path", 405: "method", 413: "body", 415: "body", 400: "body"}


def dotted(loc: tuple) -> str:
    """pydantic's ``('account', 'mobile')`` -> ``account.mobile``; list indexes as ``[1]``.
    Union and model tags pydantic inserts (``function-after[...]``) are not fields."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" in part or part.startswith("function-"):
            continue
        else:
            path += f".{part}" if path else part
    return path or "body"


def field_error(exc: ValidationError) -> FieldError:
    """The first thing pydantic refused, as the one error type."""
    first = exc.errors(include_url=False)[0]
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    return FieldError(dotted(tuple(first["loc"])), message)


def error_response(field: str | None, message: str, status: int = 400):
    return jsonify(error=message, field=field), status


def json_body() -> dict:
    """The request's JSON object, or a FieldError naming ``body``."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise FieldError("body", "request body must be a JSON object (Content-Type: application/json)")
    return data


def masked_path(path: str) -> str:
    """A request path fit for logs above debug level: personnummer cut to the birth date."""
    return _PERSONNUMMER.sub(r"\1-****", path)


# Paths that answer JSON, so their errors are JSON too (the dispatch core's API included).
JSON_APIS = ("/api/", "/dispatch/api/")


def is_json_api(path: str) -> bool:
    return path.startswith(JSON_APIS) or path == "/api"


def _is_api() -> bool:
    return is_json_api(request.path)


def register_error_handlers(app) -> None:
    @app.errorhandler(FieldError)
    def _field_error(exc: FieldError):
        return error_response(exc.field, exc.message, exc.status)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        return _field_error(field_error(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if _is_api():
            return error_response(
                _HTTP_FIELDS.get(exc.code or 500, "body"), exc.description or exc.name, exc.code or 500
            )
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        """A bug answers with a reference to the log line, never with a stack trace."""
        if isinstance(exc, HTTPException):
            return _http(exc)
        ref = uuid.uuid4().hex[:12]
        log.exception("unhandled error on %s %s (ref %s)", request.method, masked_path(request.path), ref)
        if _is_api():
            return error_response(None, f"internal error in the simulator (ref {ref})", 500)
        return InternalServerError(f"Internal error in the simulator (ref {ref})")
