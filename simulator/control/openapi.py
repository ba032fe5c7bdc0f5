"""``GET /api/openapi.json``: one OpenAPI 3.1 document for the whole control API.

This package owns the base document (``openapi.json`` beside this module: health,
citizens, inbox, clock, reset). Every other part documents its own endpoints where it
defines them, by appending a fragment in its ``wiring.install``::

    runtime.openapi_fragments.append({
        "tags": [{"name": "notifications"}],
        "paths": {"/api/notifications": {"get": {...}}},
        "components": {"schemas": {"Notification": {...}}},
    })

Fragments are merged when the document is first asked for (parts install after the
blueprints are registered). A path+method or component name defined twice with
different content is a conflict: the document is refused with a 500 naming both, so the
test that reads it fails instead of one part silently overwriting another."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

from flask import Blueprint, jsonify

log = logging.getLogger(__name__)

BASE_DOCUMENT = Path(__file__).resolve().parent / "openapi.json"
FRAGMENT_KEYS = ("paths", "components", "tags")


class OpenApiConflict(ValueError):
    """Two parts documented the same thing differently, or a fragment is malformed."""


def base_document() -> dict:
    return json.loads(BASE_DOCUMENT.read_text(encoding="utf-8"))


def _merge_entries(target: dict, entries: dict, where: str) -> None:
    if not isinstance(entries, dict):
        raise OpenApiConflict(f"{where} must be an object")
    for name, value in entries.items():
        if name in target and target[name] != value:
            raise OpenApiConflict(f"{where}/{name} is documented twice with different content")
        target[name] = value


def merge_fragment(document: dict, fragment: dict) -> None:
    """Add one part's paths, components and tags to ``document`` (in place)."""
    if not isinstance(fragment, dict):
        raise OpenApiConflict("an OpenAPI fragment must be a dict with paths/components/tags")
    unknown = sorted(set(fragment) - set(FRAGMENT_KEYS))
    if unknown:
        raise OpenApiConflict(f"an OpenAPI fragment may hold only {FRAGMENT_KEYS}; got {unknown}")
    for path, item in fragment.get("paths", {}).items():
        _merge_entries(document.setdefault("paths", {}).setdefault(path, {}), item, f"paths/{path}")
    for section, entries in fragment.get("components", {}).items():
        _merge_entries(document.setdefault("components", {}).setdefault(section, {}), entries, f"components/{section}")
    tags = fragment.get("tags", [])
    if not all(isinstance(tag, dict) and "name" in tag for tag in tags):
        raise OpenApiConflict("fragment tags must be objects with a name")
    known = {tag["name"] for tag in document.setdefault("tags", [])}
    document["tags"] += [tag for tag in tags if tag["name"] not in known]


def build_document(base: dict, fragments: list[dict]) -> dict:
    document = copy.deepcopy(base)
    for fragment in fragments:
        merge_fragment(document, copy.deepcopy(fragment))
    return document


def create_blueprint(runtime) -> Blueprint:
    api = Blueprint("control_openapi", __name__, url_prefix="/api")
    base = base_document()

    @api.get("/openapi.json")
    def openapi_document():
        try:
            return jsonify(build_document(base, runtime.openapi_fragments))
        except OpenApiConflict as exc:
            log.error("OpenAPI document cannot be built: %s", exc)
            return jsonify(error=f"OpenAPI document cannot be built: {exc}", field=None), 500

    return api
