"""GET /api/openapi.json: one valid OpenAPI 3.1 document for every /api endpoint of every
part, and the answers the endpoints give match what it documents."""

from __future__ import annotations

import re

import pytest
import requests
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from simulator.control.openapi import OpenApiConflict, build_document

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture()
def base(web) -> dict:
    """The document generated from the request and response models of a built app."""
    return web.test_client().get("/api/openapi.json").get_json()


def openapi_path(rule: str) -> str:
    """Flask ``/api/citizens/<personnummer>`` -> OpenAPI ``/api/citizens/{personnummer}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def flask_operations(web) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in web.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - IGNORED_METHODS
    }


def documented_operations(document: dict) -> set[tuple[str, str]]:
    methods = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
    return {(path, method) for path, item in document["paths"].items() for method in item if method in methods}


def schema_validator(document: dict, name: str) -> OAS31Validator:
    """A validator for one component schema, its $refs resolved inside the document."""
    return OAS31Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def test_every_api_route_of_every_part_is_documented(web):
    document = web.test_client().get("/api/openapi.json").get_json()
    missing = flask_operations(web) - documented_operations(document)
    assert not missing, (
        f"/api routes not in the OpenAPI document (add a fragment, see docs/control-api.md): {sorted(missing)}"
    )


def test_an_undocumented_route_is_noticed(web):
    """The check above can fail: a route a part forgets to document shows up as missing."""
    web.add_url_rule("/api/forgotten/<int:item>", "forgotten", lambda item: "", methods=["PUT"])
    document = web.test_client().get("/api/openapi.json").get_json()
    assert flask_operations(web) - documented_operations(document) == {("/api/forgotten/{item}", "put")}


def test_every_documented_api_operation_exists(web):
    document = web.test_client().get("/api/openapi.json").get_json()
    documented = {op for op in documented_operations(document) if op[0].startswith("/api/")}
    ghosts = documented - flask_operations(web)
    assert not ghosts, f"documented but not served: {sorted(ghosts)}"


def test_served_document_is_valid_openapi_3_1(simulator):
    response = requests.get(f"{simulator.url}/api/openapi.json", timeout=10)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    validate_spec(document)
    assert {
        "/api/citizens",
        "/api/citizens/{personnummer}",
        "/api/citizens/{personnummer}/inbox",
        "/api/reset",
        "/api/clock",
        "/api/health",
    } <= set(document["paths"])


def test_answers_match_the_documented_schemas(simulator):
    document = requests.get(f"{simulator.url}/api/openapi.json", timeout=10).json()
    answers = {
        "Health": requests.get(f"{simulator.url}/api/health", timeout=10),
        "ClockState": requests.get(f"{simulator.url}/api/clock", timeout=10),
        "CitizenPage": requests.get(f"{simulator.url}/api/citizens?limit=5", timeout=10),
        "Error": requests.get(f"{simulator.url}/api/citizens?limit=0", timeout=10),
    }
    page = answers["CitizenPage"].json()
    assert page["items"], "the seeded population should list citizens"
    answers["Citizen"] = requests.get(f"{simulator.url}/api/citizens/{page['items'][0]['personnummer']}", timeout=10)
    answers["Inbox"] = requests.get(
        f"{simulator.url}/api/citizens/{page['items'][0]['personnummer']}/inbox", timeout=10
    )
    for name, response in answers.items():
        errors = [e.message for e in schema_validator(document, name).iter_errors(response.json())]
        assert not errors, f"{name}: {errors}"


def test_schema_validation_is_not_vacuous(base):
    """The validator used above rejects an answer that breaks the documented schema."""
    document = base
    assert list(schema_validator(document, "Citizen").iter_errors({"personnummer": "191212121212"}))
    assert list(schema_validator(document, "Error").iter_errors({"field": "x"}))


# --- merging the parts' fragments --------------------------------------------------

FRAGMENT = {
    "tags": [{"name": "postcards"}],
    "paths": {"/api/postcards": {"get": {"responses": {"200": {"description": "ok"}}}}},
    "components": {"schemas": {"Postcard": {"type": "object"}}},
}


def test_fragments_add_paths_components_and_tags(base):
    document = build_document(base, [FRAGMENT])
    assert "/api/postcards" in document["paths"]
    assert document["components"]["schemas"]["Postcard"] == {"type": "object"}
    assert "Citizen" in document["components"]["schemas"]
    assert "postcards" in [t["name"] for t in document["tags"]]
    validate_spec(document)


def test_a_fragment_may_add_a_method_to_a_documented_path_and_repeat_identical_content(base):
    extra = {
        "paths": {"/api/clock": {"delete": {"responses": {"204": {"description": "gone"}}}}},
        "components": {"schemas": {"Error": base["components"]["schemas"]["Error"]}},
    }
    document = build_document(base, [extra])
    assert {"get", "post", "delete"} <= set(document["paths"]["/api/clock"])


@pytest.mark.parametrize(
    "fragment, where",
    [
        ({"paths": {"/api/clock": {"get": {"responses": {"200": {"description": "other"}}}}}}, "paths//api/clock/get"),
        ({"components": {"schemas": {"Citizen": {"type": "string"}}}}, "components/schemas/Citizen"),
        ({"info": {"title": "mine"}}, "info"),
        ({"tags": ["postcards"]}, "tags"),
    ],
)
def test_conflicting_or_malformed_fragments_are_refused(base, fragment, where):
    with pytest.raises(OpenApiConflict, match=re.escape(where)):
        build_document(base, [fragment])


def test_base_document_is_not_changed_by_merging(base):
    build_document(base, [FRAGMENT])
    assert "/api/postcards" not in base["paths"]


def test_a_conflict_is_served_as_a_json_error(web):
    web.config["RUNTIME"].openapi_fragments.append({"components": {"schemas": {"Citizen": {"type": "string"}}}})
    response = web.test_client().get("/api/openapi.json")
    assert response.status_code == 500
    assert "components/schemas/Citizen" in response.get_json()["error"]


@pytest.mark.parametrize(
    "schema, model",
    [
        ("CitizenPatch", "Citizen"),
        ("Citizen", "Citizen"),
        ("AccountFields", "Account"),
        ("Account", "Account"),
        ("AddressFields", "Address"),
        ("Address", "Address"),
    ],
)
def test_citizen_schemas_document_every_field_of_the_domain_model(base, schema, model):
    """The population's dataclasses are the truth; a field added there must be in the request
    and answer models (simulator/control/models.py), and so in the generated document."""
    import dataclasses

    from simulator.population import domain

    documented = set(base["components"]["schemas"][schema]["properties"])
    fields = {f.name for f in dataclasses.fields(getattr(domain, model))}
    if model == "Citizen":
        documented |= {"personnummer", "seeded"}
    if schema == "Citizen":
        documented -= {"object_id"}  # read-only, derived from the personnummer (GetUserProfileByAgent)
    if schema == "CitizenPatch":
        documented |= {"updated_at"}  # read-only, set by the seed (PU version): no request sets it
    assert documented == fields
