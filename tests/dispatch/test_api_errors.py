"""The dispatch core's JSON APIs answer every error as JSON ``{"error", "field"}`` — bad
bodies (pydantic models) name the field, an unknown booking is 404 as the adapter spec
says, a wrong route or method is 404/405, a bug is 500 — and never an HTML page. Built
on the real host application with the real dispatch part (``config.extra["parts"]``, as
``kallelse serve`` does) through Flask's test client: no worker needed for answers."""

from __future__ import annotations

import pytest

from dispatchcore import schema as dispatch_schema
from dispatchcore.cli import SIMULATOR_PART
from dispatchcore.storage import Database
from simulator.app import create_app
from simulator.config import Config
from tests.dispatch.conftest import FACILITY
from tests.support import prepared_data_dir

BOOKING = {
    "booking_id": "E-1",
    "personnummer": "191212121212",
    "visit_start": "2099-01-01T10:00",
    "facility": FACILITY,
}


def app_for(data_dir, migrate_dispatch: bool = True):
    prepared_data_dir(data_dir, seed=False)
    config = Config(data_dir=data_dir, seed=False)
    config.extra["parts"] = (SIMULATOR_PART,)
    if migrate_dispatch:
        db = Database(config.db_url)
        dispatch_schema.upgrade(db)
        db.dispose()
    return create_app(config, migrate=False)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return app_for(tmp_path_factory.mktemp("errors")).test_client()


def json_error(answer, status: int, field: str | None) -> dict:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/json", answer.get_data(as_text=True)[:200]
    body = answer.get_json()
    assert set(body) == {"error", "field"} and body["error"] and body["field"] == field, body
    return body


@pytest.mark.parametrize("prefix", ["/dispatch/adapter", "/dispatch/api"])
def test_an_unknown_booking_is_404_json_naming_booking_id(client, prefix):
    json_error(client.get(f"{prefix}/bookings/NOPE"), 404, "booking_id")
    json_error(client.put(f"{prefix}/bookings/NOPE", json={"visit_type": "x"}), 404, "booking_id")
    json_error(client.post(f"{prefix}/bookings/NOPE/cancel"), 404, "booking_id")


def test_adapter_unknown_booking_answer_is_exactly_the_specs(client):
    answer = client.get("/dispatch/adapter/bookings/NOPE")
    assert answer.get_json() == {"error": "no booking 'NOPE'", "field": "booking_id"}


@pytest.mark.parametrize("prefix", ["/dispatch/adapter", "/dispatch/api"])
def test_routes_and_methods_that_do_not_exist_answer_json(client, prefix):
    json_error(client.get(f"{prefix}/no-such-thing"), 404, "path")
    json_error(client.delete(f"{prefix}/bookings"), 405, "method")


def test_other_paths_keep_the_hosts_own_answer(client):
    """The routing handler is scoped to the dispatch prefixes: the trainer page is HTML."""
    answer = client.get("/dispatch/no-such-page")
    assert answer.status_code == 404 and answer.mimetype == "text/html"


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BOOKING, "facility": {"name": "x"}}, "facility.hsa_id"),
        ({**BOOKING, "facility": {**FACILITY, "fax": "1"}}, "facility.fax"),
        ({**BOOKING, "interpreter": "ja"}, "interpreter"),
        ({**BOOKING, "physical_enclosures": ["ok", 3]}, "physical_enclosures"),
        ({**BOOKING, "type": "brev"}, "type"),
        ({**BOOKING, "preparations": "x" * 4001}, "preparations"),
        ({k: v for k, v in BOOKING.items() if k != "booking_id"}, "booking_id"),
        ([], "body"),
    ],
)
@pytest.mark.parametrize("prefix", ["/dispatch/adapter", "/dispatch/api"])
def test_a_bad_booking_body_is_400_naming_the_field(client, prefix, body, field):
    json_error(client.post(f"{prefix}/bookings", json=body), 400, field)


def test_settings_take_endpoints_only_and_no_rule_switch(client):
    """The reference engine has no switches that bend a rule: ``mutations`` is unknown."""
    json_error(client.put("/dispatch/api/settings", json={"mutations": ["ignore_minors"]}), 400, "mutations")
    json_error(client.put("/dispatch/api/settings", json={"endpoints": {"pu": 5}}), 400, "endpoints.pu")
    json_error(client.put("/dispatch/api/settings", json={"endpoints": {"fax": ""}}), 400, "endpoints.fax")
    for timeout in (0, -1, 121, "soon", True):
        answer = client.put("/dispatch/api/settings", json={"endpoints": {"timeout_seconds": timeout}})
        json_error(answer, 400, "endpoints.timeout_seconds")
    settings = client.get("/dispatch/api/settings").get_json()
    assert settings["endpoints"]["timeout_seconds"] == 10.0
    assert "mutations" not in settings and settings["profiles"]["rjl"]["fallback_days"] == 3
    assert settings["profiles"]["rjl"]["region_file"].endswith("regions/rjl.toml")
    assert "mutations" not in client.get("/dispatch/adapter/health").get_json()


def test_a_citizen_action_body_is_validated(client):
    json_error(client.post("/dispatch/api/citizen-actions", json={"type": "cancel"}), 400, "booking_id")
    body = {"booking_id": "E-1", "personnummer": "191212121212", "type": "delete"}
    json_error(client.post("/dispatch/api/citizen-actions", json=body), 400, "type")


def test_a_bug_is_500_json_with_a_reference_never_a_page(tmp_path):
    """A database without the dispatch tables (the part installed, the migration never run)
    makes every query fail: the API still answers JSON."""
    broken = app_for(tmp_path / "broken", migrate_dispatch=False).test_client()
    for path in ("/dispatch/api/bookings", "/dispatch/adapter/idle"):
        body = json_error(broken.get(path), 500, None)
        assert "ref " in body["error"]
