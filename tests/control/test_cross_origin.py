"""No cross-origin state change, in every mode: a browser page on another origin that
POSTs to the simulator (a form, or ``fetch(..., {mode: "no-cors"})``) is refused; a
client that is not a browser, and the simulator's own pages, are not affected."""

from __future__ import annotations

import pytest


@pytest.fixture()
def client(web):
    return web.test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:9999"},  # same host, another port: another origin
        {"Origin": "null"},  # sandboxed iframe, file://
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_state_changes_from_another_origin_are_refused(client, headers):
    client.post("/api/citizens", json={"personnummer": "195001011005", "given_name": "T", "surname": "T"})
    response = client.post("/api/reset", headers=headers)
    assert response.status_code == 403 and response.get_json()["field"] == "origin"
    assert client.get("/api/citizens/195001011005").status_code == 200, "the reset must not have run"
    assert client.delete("/api/citizens/195001011005", headers=headers).status_code == 403
    assert client.post("/api/clock", json={"freeze": True}, headers=headers).status_code == 403


def test_reads_from_another_origin_still_answer(client):
    assert client.get("/api/clock", headers={"Origin": "http://evil.example"}).status_code == 200


def test_same_origin_and_non_browser_clients_may_change_state(client):
    assert (
        client.post("/api/reset", headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}).status_code
        == 200
    )
    assert client.post("/api/reset").status_code == 200
    assert client.post("/api/reset", headers={"Sec-Fetch-Site": "none"}).status_code == 200


def test_a_trusted_public_origin_can_be_configured(client, monkeypatch):
    monkeypatch.setenv("KALLELSE_ALLOWED_ORIGINS", "https://testbed.example, https://other.example")
    assert client.post("/api/reset", headers={"Origin": "https://testbed.example"}).status_code == 200
    assert client.post("/api/reset", headers={"Origin": "https://evil.example"}).status_code == 403


def test_citizen_page_forms_from_another_origin_are_refused(client):
    response = client.post(
        "/inkorg/logga-in", data={"personnummer": "191212121212"}, headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 403
