"""/api/citizens against a running server: create, read, list, change, delete; bad input
answers 400 naming the field; the log never shows a full personnummer."""

from __future__ import annotations

import pytest
import requests

from simulator.population.personnummer import with_check_digit


def pnr(serial: int) -> str:
    """A valid personnummer born 1 Jan 1950; the seed uses birth numbers 980-999 only."""
    return with_check_digit(f"19500101{serial:03d}")


TOLVAN = {
    "personnummer": pnr(100),
    "given_name": "Tolvan",
    "surname": "Tolvansson",
    "account": {
        "exists": True,
        "active": True,
        "sms_notification": True,
        "email_notification": False,
        "mobile": "+46701234567",
        "email": None,
    },
    "optout_paper": True,
    "protected": False,
    "deceased": False,
    "address": {"street": "Storgatan 1", "postal_code": "111 22", "city": "Stockholm"},
}


def citizen(serial: int, **changes) -> dict:
    return {**TOLVAN, "personnummer": pnr(serial), **changes}


@pytest.fixture(scope="module")
def api(simulator):
    session = requests.Session()
    session.base = f"{simulator.url}/api"
    return session


def post(api, body, **kwargs):
    return api.post(f"{api.base}/citizens", json=body, timeout=10, **kwargs)


def test_create_then_read_back(api):
    response = post(api, TOLVAN)
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith(f"/api/citizens/{pnr(100)}")
    created = response.json()
    assert created["account"]["mobile"] == "+46701234567" and created["seeded"] is False
    read = api.get(f"{api.base}/citizens/{pnr(100)}", timeout=10)
    assert read.status_code == 200
    assert read.json() == created
    assert read.json()["address"] == {**TOLVAN["address"], "care_of": None}


def test_creating_an_existing_citizen_is_a_conflict(api):
    body = citizen(1)
    assert post(api, body).status_code == 201
    again = post(api, {**body, "given_name": "Other"})
    assert again.status_code == 409
    assert again.json()["field"] == "personnummer"
    assert api.get(f"{api.base}/citizens/{body['personnummer']}", timeout=10).json()["given_name"] == "Tolvan"


@pytest.mark.parametrize(
    "body, field",
    [
        ({k: v for k, v in citizen(2).items() if k != "surname"}, "surname"),
        (citizen(2, personnummer="191212121213"), "personnummer"),
        (citizen(2, personnummer="19121212-1212"), "personnummer"),
        (citizen(2, given_name=""), "given_name"),
        (citizen(2, given_name=7), "given_name"),
        (citizen(2, protected="no"), "protected"),
        (citizen(2, shoe_size=44), "shoe_size"),
        (citizen(2, seeded=True), "seeded"),
        (citizen(2, deceased_date="yesterday"), "deceased_date"),
        (citizen(2, calling_name="Nisse"), "calling_name"),
        (citizen(2, address={"street": "x", "floor": 3}), "address.floor"),
        (citizen(2, address="Storgatan 1"), "address"),
        (citizen(2, account={"exists": False, "active": True}), "account.active"),
        (citizen(2, account={"exists": True, "mobile": "call me"}), "account.mobile"),
        (citizen(2, account={"exists": True, "email": "nobody"}), "account.email"),
        (citizen(2, account={"exists": "yes"}), "account.exists"),
    ],
)
def test_bad_input_names_the_field(api, body, field):
    response = post(api, body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert response.json()["error"]
    assert api.get(f"{api.base}/citizens/{pnr(2)}", timeout=10).status_code == 404, "nothing half-stored"


@pytest.mark.parametrize(
    "data, headers",
    [
        ("not json", {"Content-Type": "application/json"}),
        ("[1, 2]", {"Content-Type": "application/json"}),
        ('{"personnummer": "191212121212"}', {"Content-Type": "text/plain"}),
    ],
)
def test_a_body_that_is_not_a_json_object_is_named_body(api, data, headers):
    response = api.post(f"{api.base}/citizens", data=data, headers=headers, timeout=10)
    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_patch_merges_account_members_and_keeps_the_rest(api):
    body = citizen(3)
    post(api, body)
    response = api.patch(
        f"{api.base}/citizens/{body['personnummer']}",
        json={"account": {"sms_notification": False}, "deceased": True, "deceased_date": "2026-01-02"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    changed = api.get(f"{api.base}/citizens/{body['personnummer']}", timeout=10).json()
    assert changed["account"] == {**body["account"], "sms_notification": False, "phone": None}
    assert changed["deceased"] is True and changed["deceased_date"] == "2026-01-02"
    assert changed["surname"] == "Tolvansson"


def test_a_rejected_patch_changes_nothing(api):
    body = citizen(4)
    post(api, body)
    response = api.patch(
        f"{api.base}/citizens/{body['personnummer']}",
        json={"surname": "Changed", "account": {"mobile": "phone"}},
        timeout=10,
    )
    assert response.status_code == 400 and response.json()["field"] == "account.mobile"
    assert api.get(f"{api.base}/citizens/{body['personnummer']}", timeout=10).json()["surname"] == "Tolvansson"


def test_patch_cannot_change_the_personnummer_or_the_seeded_flag(api):
    body = citizen(5)
    post(api, body)
    url = f"{api.base}/citizens/{body['personnummer']}"
    assert api.patch(url, json={"personnummer": pnr(6)}, timeout=10).json()["field"] == "personnummer"
    assert api.patch(url, json={"seeded": True}, timeout=10).json()["field"] == "seeded"
    assert api.patch(url, json={"personnummer": body["personnummer"]}, timeout=10).status_code == 200


def test_delete(api):
    body = citizen(7)
    post(api, body)
    url = f"{api.base}/citizens/{body['personnummer']}"
    assert api.delete(url, timeout=10).status_code == 204
    missing = api.get(url, timeout=10)
    assert missing.status_code == 404 and missing.json()["field"] == "personnummer"
    assert api.delete(url, timeout=10).status_code == 404
    assert api.patch(url, json={"surname": "X"}, timeout=10).status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_malformed_personnummer_in_the_path_is_a_400(api, method):
    response = api.request(method, f"{api.base}/citizens/12345", json={}, timeout=10)
    assert response.status_code == 400
    assert response.json()["field"] == "personnummer"


def test_list_filters_by_label_and_pages(api):
    for serial in (10, 11, 12):
        assert post(api, citizen(serial, label="Paging test")).status_code == 201
    first = api.get(f"{api.base}/citizens", params={"label": "paging TEST", "limit": 2}, timeout=10).json()
    assert first["total"] == 3 and first["limit"] == 2 and first["offset"] == 0
    assert [c["personnummer"] for c in first["items"]] == [pnr(10), pnr(11)]
    rest = api.get(f"{api.base}/citizens", params={"label": "Paging test", "limit": 2, "offset": 2}, timeout=10)
    assert [c["personnummer"] for c in rest.json()["items"]] == [pnr(12)]


def test_list_filters_by_seeded(api):
    post(api, citizen(13))
    created = api.get(f"{api.base}/citizens", params={"seeded": "false", "limit": 1000}, timeout=10).json()
    seeded = api.get(f"{api.base}/citizens", params={"seeded": "true", "limit": 1000}, timeout=10).json()
    everyone = api.get(f"{api.base}/citizens", params={"limit": 1}, timeout=10).json()
    assert pnr(13) in [c["personnummer"] for c in created["items"]]
    assert all(c["seeded"] is False for c in created["items"])
    assert seeded["total"] > 0 and all(c["seeded"] for c in seeded["items"])
    assert everyone["total"] == created["total"] + seeded["total"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"seeded": "maybe"}, "seeded"),
    ],
)
def test_bad_list_parameters_name_the_parameter(api, params, field):
    response = api.get(f"{api.base}/citizens", params=params, timeout=10)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_unknown_routes_and_methods_answer_json(api):
    missing = api.get(f"{api.base}/no-such-thing", timeout=10)
    assert missing.status_code == 404 and missing.json()["field"] == "path"
    wrong = api.put(f"{api.base}/citizens", json={}, timeout=10)
    assert wrong.status_code == 405 and "error" in wrong.json()


def test_the_log_never_shows_a_full_personnummer(simulator, api):
    """The server logs at info level; personnummer appear masked (YYYYMMDD-****)."""
    body = citizen(20)
    post(api, body)
    api.patch(f"{api.base}/citizens/{body['personnummer']}", json={"surname": "Logged"}, timeout=10)
    api.delete(f"{api.base}/citizens/{body['personnummer']}", timeout=10)
    log = simulator.log()
    assert "19500101-****" in log, "the control API should log what it changed"
    assert body["personnummer"] not in log
