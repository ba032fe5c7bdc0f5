"""``GET /api/openapi.json``: one OpenAPI 3.1 document for the whole control API,
generated from the request and response models of the routes (``spec.py``).

Routes decorated with ``API.validate`` document themselves. A part that cannot (or not
yet) describe its routes with models may still append a hand-written fragment in its
``wiring.install``::

    runtime.openapi_fragments.append({"paths": {...}, "components": {...}, "tags": [...]})

Fragments are merged into the generated document when it is asked for. A path+method or
component name defined twice with different content is a conflict: the document is
refused with a 500 naming both, so the test that reads it fails instead of one part
silently overwriting another."""

from __future__ import annotations

import copy
import logging

from flask import Blueprint, current_app, jsonify

from simulator.control.spec import API, OpenApiDocument, answers, generated

log = logging.getLogger(__name__)

FRAGMENT_KEYS = ("paths", "components", "tags")


class OpenApiConflict(ValueError):
    """Two parts documented the same thing differently, or a fragment is malformed."""


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

    @api.get("/openapi.json")
    @API.validate(resp=answers(HTTP_200=OpenApiDocument), tags=["meta"])
    def openapi_document():
        """Generated once per app, after every part has registered its routes."""
        try:
            base = current_app.extensions.get("kallelse_openapi")
            if base is None:
                base = current_app.extensions["kallelse_openapi"] = generated()
            return jsonify(build_document(base, runtime.openapi_fragments))
        except OpenApiConflict as exc:
            log.error("OpenAPI document cannot be built: %s", exc)
            return jsonify(error=f"OpenAPI document cannot be built: {exc}", field=None), 500

    return api
