"""The request/response models' one validator and the OpenAPI document generated from them.

Every ``/api`` route of every part is decorated with ``API.validate(...)`` (spectree over
plain Flask blueprints): spectree reads the query and JSON body into the route's pydantic
models before the view runs, checks the answer against the response model, and knows the
route for the OpenAPI document. A refused input does not become spectree's own 4xx list:
``_refuse`` raises the first error as the one error type (``simulator.errors.FieldError``,
answered as ``{"error", "field"}`` by ``simulator.control.errors``).

``document()`` builds ``/api/openapi.json`` for the running app (the routes are read from
the app, so every app built in one process gets its own) and merges the fragments other
parts still append to ``runtime.openapi_fragments``."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response, SpecTree

from simulator.control.errors import field_error


class Error(BaseModel):
    """Every 4xx/5xx answer of the JSON API."""

    error: str = Field(description="What is wrong, in English.")
    field: str | None = Field(
        description="What it is about: a dotted body member (`account.mobile`), a query or path "
        "parameter, `body` for the whole request, `path`/`method` for an unknown route or method; "
        "null for a 500 (which carries a log reference instead)."
    )


class OpenApiDocument(BaseModel):
    """This document (OpenAPI 3.1)."""

    model_config = ConfigDict(extra="allow")
    openapi: str
    paths: dict


class Strict(BaseModel):
    """Base of request bodies: an unknown member is refused (a typo is a 400, not ignored),
    and JSON types are taken as they are (``1`` is not ``true``, ``"5"`` is not ``5``)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """Base of query-string models: unknown parameters are ignored (cache busters)."""

    model_config = ConfigDict(extra="ignore")


def _refuse(req, resp, error, instance, *args: Any) -> None:
    if error is not None:
        raise field_error(error)


INFO = {
    "title": "Kallelse Testbed control API",
    "version": "2.0.0",
    "description": (
        "JSON over HTTP under /api, generated from the simulator's request and response models. "
        'Every input is validated; errors answer {"error": ..., "field": ...} naming the field. '
        "In shared mode (docs/platform.md) every call needs `Authorization: Bearer <token>`; "
        "state-changing calls from another browser origin are always refused."
    ),
}

API = SpecTree(
    "flask",
    mode="strict",
    title=INFO["title"],
    version=INFO["version"],
    description=INFO["description"],
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    before=_refuse,
    validation_error_status=400,
    validation_error_model=Error,
    security_schemes=[
        {"name": "token", "data": {"type": "http", "scheme": "bearer", "description": "shared mode only"}}
    ],
)

ERRORS = {"HTTP_400": Error, "HTTP_401": Error, "HTTP_403": Error}


def answers(*codes: str, **models) -> Response:
    """``answers(HTTP_200=Citizen, HTTP_404=Error)``, plus the errors every route may give;
    a code without a model (``"HTTP_200"``) is documented, not checked (files, streams)."""
    return Response(*codes, **{**ERRORS, **models})


def streamed_operation(path: str, method: str, query_model: type[BaseModel], summary: str, media_type: str) -> dict:
    """An OpenAPI fragment for a route that streams its answer. spectree reads a view's whole
    answer to check it, which a stream must not be, so such a route validates its query with
    ``query_model.model_validate`` itself and is documented by this fragment."""
    schema = query_model.model_json_schema()
    parameters = [
        {"name": name, "in": "query", "required": False, "schema": prop} for name, prop in schema["properties"].items()
    ]
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    operation = {
        "summary": summary,
        "operationId": f"{method}_{path.strip('/').replace('/', '_')}",
        "tags": [],
        "parameters": parameters,
        "responses": {
            "200": {"description": summary, "content": {media_type: {"schema": {"type": "string"}}}},
            **{code: error for code in ("400", "401", "403")},
        },
    }
    return {"paths": {path: {method: operation}}}


M = TypeVar("M", bound=BaseModel)


def body(model: type[M]) -> M:
    """The validated JSON body of this request (spectree put it there)."""
    value = request.context.json  # type: ignore[attr-defined]
    assert isinstance(value, model)
    return value


def query(model: type[M]) -> M:
    """The validated query string of this request."""
    value = request.context.query  # type: ignore[attr-defined]
    assert isinstance(value, model)
    return value


def generated() -> dict:
    """The document for the app of this request (routes read from ``current_app``)."""
    return API._generate_spec()
