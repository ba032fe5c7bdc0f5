"""JSON errors for the control API: always ``{"error": ..., "field": ...}``, never HTML."""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException


class BadRequest(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def bad_request(field: str, message: str, status: int = 400):
    return jsonify(error=message, field=field), status


def json_body() -> dict:
    """The request's JSON object, or a BadRequest naming ``body``."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("body", "request body must be a JSON object (Content-Type: application/json)")
    return data


def register_error_handlers(app) -> None:
    @app.errorhandler(BadRequest)
    def _bad(exc: BadRequest):
        return bad_request(exc.field, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error=exc.description, status=exc.code), exc.code
        return exc
