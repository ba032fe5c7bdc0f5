"""JSON errors for the control API: always ``{"error": ..., "field": ...}``, never HTML."""

from __future__ import annotations

import logging
import re
import uuid

from flask import jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)
_PERSONNUMMER = re.compile(r"(?<![0-9])([0-9]{8})[0-9pPtTfF][0-9]{3}(?![0-9])")


class ApiError(Exception):
    """An answer other than 2xx that names the field it is about (``body`` for the whole
    request, a dotted path such as ``account.mobile`` for one value)."""

    status = 400

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class BadRequest(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


def bad_request(field: str, message: str, status: int = 400):
    return jsonify(error=message, field=field), status


def json_body() -> dict:
    """The request's JSON object, or a BadRequest naming ``body``."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("body", "request body must be a JSON object (Content-Type: application/json)")
    return data


def masked_path(path: str) -> str:
    """A request path fit for logs above debug level: personnummer cut to the birth date."""
    return _PERSONNUMMER.sub(r"\1-****", path)


def register_error_handlers(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return bad_request(exc.field, exc.message, exc.status)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error=exc.description, status=exc.code), exc.code
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        """A bug answers with a reference to the log line, never with a stack trace."""
        if isinstance(exc, HTTPException):
            return _http(exc)
        ref = uuid.uuid4().hex[:12]
        log.exception("unhandled error on %s %s (ref %s)", request.method, masked_path(request.path), ref)
        if request.path.startswith("/api/"):
            return jsonify(error=f"internal error in the simulator (ref {ref})", field=None), 500
        return InternalServerError(f"Internal error in the simulator (ref {ref})")
