"""POST /api/reset: inbox messages, API-created citizens and every part's state go; the
seeded citizens stay (as they are), go (include_seed) or are loaded afresh (reseed)."""

from __future__ import annotations

import pytest
import requests

from simulator.population.personnummer import with_check_digit
from tests.inbox.wire import add_message, response_payload

TOLVAN = "191212121212"  # a seeded demo person with an active account (docs/population.md)
CREATED = with_check_digit("19700303310")


@pytest.fixture(scope="module")
def server(simulator):
    return simulator


def api(server, method, path, **kwargs):
    return requests.request(method, f"{server.url}/api{path}", timeout=30, **kwargs)


def seeded_total(server) -> int:
    return api(server, "get", "/citizens", params={"seeded": "true", "limit": 1}).json()["total"]


def dirty(server) -> None:
    """State a test case leaves behind: its own citizen, a changed seeded citizen, messages."""
    assert (
        api(
            server, "post", "/citizens", json={"personnummer": CREATED, "given_name": "Rut", "surname": "Rensa"}
        ).status_code
        == 201
    )
    assert api(server, "patch", f"/citizens/{TOLVAN}", json={"surname": "Ändrad"}).status_code == 200
    answer = add_message(server.url, TOLVAN, business_object_id="BO-RESET")
    assert response_payload(answer).findtext("{*}resultCode") == "OK"


def test_reset_keeps_the_seeded_citizens_as_they_are(server):
    seeded = seeded_total(server)
    dirty(server)
    response = api(server, "post", "/reset")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["removed"] == {"inbox_messages": 1, "citizens": 1}
    assert summary["seeded_citizens"] == seeded == summary["citizens"] == seeded_total(server)
    assert summary["reseeded"] is False
    assert api(server, "get", f"/citizens/{CREATED}").status_code == 404
    assert api(server, "get", f"/citizens/{TOLVAN}").json()["surname"] == "Ändrad"
    assert api(server, "get", f"/citizens/{TOLVAN}/inbox").json()["threads"] == []


def test_reseed_restores_changed_seeded_citizens(server):
    seeded = seeded_total(server)
    dirty(server)
    summary = api(server, "post", "/reset", json={"reseed": True}).json()
    assert summary["reseeded"] is True and summary["seeded_citizens"] == seeded
    assert summary["removed"]["inbox_messages"] == 1
    assert api(server, "get", f"/citizens/{TOLVAN}").json()["surname"] == "Tolvansson"
    assert api(server, "get", f"/citizens/{CREATED}").status_code == 404


def test_include_seed_empties_the_population(server):
    dirty(server)
    summary = api(server, "post", "/reset", json={"include_seed": True}).json()
    assert summary["citizens"] == 0 and summary["seeded_citizens"] == 0
    assert api(server, "get", "/citizens").json()["total"] == 0
    assert api(server, "post", "/reset", json={"reseed": True}).json()["seeded_citizens"] > 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reseed": "yes"}, "reseed"),
        ({"include_seed": 1}, "include_seed"),
        ({"everything": True}, "everything"),
        ([True], "body"),
    ],
)
def test_bad_reset_bodies_name_the_field_and_reset_nothing(server, body, field):
    api(server, "post", "/citizens", json={"personnummer": CREATED, "given_name": "Rut", "surname": "Rensa"})
    response = api(server, "post", "/reset", json=body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert api(server, "get", f"/citizens/{CREATED}").status_code == 200


def test_every_part_reset_hook_runs_with_the_seed_flag(web):
    """Parts register runtime.reset_hooks to clear their own tables."""
    calls = []
    web.config["RUNTIME"].reset_hooks.append(calls.append)
    client = web.test_client()
    assert client.post("/api/reset").status_code == 200
    assert client.post("/api/reset", json={"include_seed": True}).status_code == 200
    assert client.post("/api/reset", json={"reseed": True}).status_code == 200
    assert calls == [False, True, True]
