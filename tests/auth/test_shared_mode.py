"""Shared mode (``kallelse serve --shared``): API tokens with roles. A vendor token reads
only its own consumer's traffic, threads and inbox messages; a viewer reads but cannot
reset; without a token every /api call (but health and the document) is a 401 JSON; the
admin pages need a login; the embedded default needs no token at all."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from simulator.auth.store import TokenStore
from simulator.auth.tokens import Role, may
from tests.inbox import wire

ADD_MESSAGE = "/inbox/AddMessage/2/rivtabp21"
VENDOR_A, VENDOR_B = "SE2321000016-AAAA", "SE2321000016-BBBB"
NOW = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


@pytest.fixture()
def bed(tmp_path):
    """The whole application in shared mode (SOAP router and Flask), in-process."""
    from simulator import app as app_module
    from simulator.config import Config

    app = app_module.create_app(Config(data_dir=tmp_path / "data", shared=True))
    return app, TokenStore(app_runtime(app).db)


def app_runtime(app):
    """The Runtime the application was built with."""
    return app.config["RUNTIME"]


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def tokens(store: TokenStore) -> dict[str, str]:
    return {
        "admin": store.create(Role.ADMIN, None, "admin", NOW)[1],
        "viewer": store.create(Role.VIEWER, None, "trainer", NOW)[1],
        "a": store.create(Role.VENDOR, VENDOR_A, "vendor A", NOW)[1],
        "b": store.create(Role.VENDOR, VENDOR_B, "vendor B", NOW)[1],
    }


def send(client: Client, consumer: str, pnr: str, business_object_id: str) -> None:
    body = wire.add_message_body(pnr, business_object_id=business_object_id)
    headers = {
        "SOAPAction": f'"{wire.ADD_MESSAGE_ACTION}"',
        "Content-Type": "text/xml; charset=utf-8",
        "x-rivta-original-serviceconsumer-hsaid": consumer,
    }
    answer = client.post(ADD_MESSAGE, data=wire.envelope(body, "5565594230").encode(), headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_without_a_token_every_api_call_is_401_json(bed):
    app, _ = bed
    client = Client(app)
    for path in ("/api/citizens", "/api/traffic", "/api/clock", "/api/behaviours", "/metrics"):
        answer = client.get(path)
        assert answer.status_code == 401, path
        assert answer.json == {"error": answer.json["error"], "field": "Authorization"}
    assert client.post("/api/reset").status_code == 401
    assert client.get("/api/citizens", headers=bearer("kt_not-a-token")).status_code == 401
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200


def test_a_viewer_reads_but_cannot_reset_or_move_the_clock(bed):
    app, store = bed
    secret = tokens(store)["viewer"]
    client = Client(app)
    assert client.get("/api/citizens", headers=bearer(secret)).status_code == 200
    for method, path in (("POST", "/api/reset"), ("POST", "/api/clock"), ("DELETE", "/api/traffic")):
        answer = client.open(path, method=method, headers=bearer(secret), json={"freeze": True})
        assert answer.status_code == 403 and answer.json["field"] == "role", (method, path)


def test_a_vendor_sees_only_its_own_traffic_threads_and_messages(bed):
    app, store = bed
    secrets = tokens(store)
    client = Client(app)
    pnr = "191212121212"
    created = client.post(
        "/api/citizens",
        headers=bearer(secrets["admin"]),
        json={"personnummer": pnr, "given_name": "Tolvan", "surname": "T", "account": {"exists": True, "active": True}},
    )
    assert created.status_code == 201, created.json
    send(client, VENDOR_A, pnr, "A-1")
    send(client, VENDOR_B, pnr, "B-1")

    everyone = client.get("/api/traffic", headers=bearer(secrets["admin"])).json["items"]
    assert {r["consumer"] for r in everyone} == {VENDOR_A, VENDOR_B}
    own = client.get("/api/traffic", headers=bearer(secrets["a"])).json["items"]
    assert own and {r["consumer"] for r in own} == {VENDOR_A}
    asked_for_b = client.get("/api/traffic", query_string={"consumer": VENDOR_B}, headers=bearer(secrets["a"]))
    assert asked_for_b.json["items"] == [] or {r["consumer"] for r in asked_for_b.json["items"]} == {VENDOR_A}
    b_record = next(r for r in everyone if r["consumer"] == VENDOR_B)
    assert client.get(f"/api/traffic/{b_record['id']}", headers=bearer(secrets["a"])).status_code == 404
    assert client.get(f"/api/traffic/{b_record['id']}", headers=bearer(secrets["b"])).status_code == 200
    export = client.get("/api/traffic/export", query_string={"mask": "false"}, headers=bearer(secrets["a"]))
    assert VENDOR_B not in export.get_data(as_text=True) and VENDOR_A in export.get_data(as_text=True)

    assert client.get("/api/threads/B-1", headers=bearer(secrets["a"])).status_code == 404
    assert client.get("/api/threads/A-1", headers=bearer(secrets["a"])).status_code == 200
    inbox = client.get(f"/api/citizens/{pnr}/inbox", headers=bearer(secrets["a"])).json
    assert [t["business_object_id"] for t in inbox["threads"]] == ["A-1"]
    assert inbox["message_count"] == 1
    everything = client.get(f"/api/citizens/{pnr}/inbox", headers=bearer(secrets["admin"])).json
    assert everything["message_count"] == 2


def test_a_vendor_cannot_change_shared_state(bed):
    app, store = bed
    secret = tokens(store)["a"]
    client = Client(app)
    for method, path in (("POST", "/api/reset"), ("POST", "/api/behaviours"), ("GET", "/api/behaviours")):
        assert client.open(path, method=method, headers=bearer(secret), json={}).status_code == 403, path


def test_a_revoked_token_is_refused(bed):
    app, store = bed
    secret = tokens(store)["admin"]
    client = Client(app)
    assert client.get("/api/clock", headers=bearer(secret)).status_code == 200
    token = store.find(secret)
    assert store.revoke(token.id, NOW)
    assert client.get("/api/clock", headers=bearer(secret)).status_code == 401


def test_admin_pages_need_a_login(bed):
    app, store = bed
    secrets = tokens(store)
    client = Client(app)
    page = client.get("/kontroll/klocka")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    form = client.get("/login")
    csrf = form.get_data(as_text=True).split('name="csrf" value="')[1].split('"')[0]
    vendor = client.post("/login", data={"token": secrets["a"], "csrf": csrf, "next": "/kontroll/klocka"})
    assert vendor.status_code == 302 and vendor.headers["Location"].endswith("/certifiering/"), "its own runs"
    assert client.get("/kontroll/klocka").status_code == 403, "a vendor token does not open the admin pages"
    logged_in = client.post("/login", data={"token": secrets["admin"], "csrf": csrf, "next": "/kontroll/klocka"})
    assert logged_in.status_code == 302 and logged_in.headers["Location"].endswith("/kontroll/klocka")
    assert client.get("/kontroll/klocka").status_code == 200


def test_outside_shared_mode_no_token_is_needed(web):
    client = web.test_client()
    assert client.get("/api/citizens").status_code == 200
    assert client.post("/api/reset").status_code == 200
    assert client.get("/kontroll/klocka").status_code == 200


def test_tokens_are_stored_hashed(bed):
    app, store = bed
    _, secret = store.create(Role.ADMIN, None, "x", NOW)
    import sqlalchemy as sa

    from simulator.auth.store import api_tokens

    with store.db.connect() as conn:
        stored = [tuple(row) for row in conn.execute(sa.select(api_tokens)).all()]
    assert stored and all(secret not in str(row) for row in stored)


@pytest.mark.parametrize(
    "role, method, endpoint, allowed",
    [
        (Role.VIEWER, "GET", "control_citizens.list_citizens", True),
        (Role.VIEWER, "POST", "control_reset.post_reset", False),
        (Role.VENDOR, "GET", "platform.list_traffic", True),
        (Role.VENDOR, "GET", "platform.list_behaviours", False),
        (Role.VENDOR, "POST", "control.set_clock", False),
        (Role.VENDOR, "POST", "citizen_api.submit_letter", True),
        (Role.ADMIN, "POST", "control_reset.post_reset", True),
    ],
)
def test_the_role_policy(role, method, endpoint, allowed):
    assert may(role, method, endpoint) is allowed


def test_tokens_cli_creates_lists_and_revokes(tmp_path):
    from simulator.cli import main

    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    created = runner.invoke(main, ["tokens", "create", "--role", "vendor", "--consumer", VENDOR_A, *data])
    assert created.exit_code == 0, created.output
    assert "kt_" in created.output
    assert runner.invoke(main, ["tokens", "create", "--role", "vendor", *data]).exit_code != 0
    assert runner.invoke(main, ["tokens", "create", "--role", "vendor", "--consumer", "nonsense", *data]).exit_code != 0
    listed = runner.invoke(main, ["tokens", "list", *data])
    assert VENDOR_A in listed.output and "active" in listed.output and "kt_" not in listed.output
    assert runner.invoke(main, ["tokens", "revoke", "1", *data]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["tokens", "list", *data]).output
    assert runner.invoke(main, ["tokens", "revoke", "1", *data]).exit_code != 0


def test_a_care_systems_rest_calls_need_its_vendor_token(bed):
    """No open state-changing route: a care system registers its callback with its token
    (the embedded dispatch worker gets one from kallelse serve --shared)."""
    app, store = bed
    client = Client(app)
    registration = {"source_system": VENDOR_A, "url": "http://care.example/cb"}
    assert client.post("/api/callbacks", json=registration).status_code == 401
    answer = client.post("/api/callbacks", json=registration, headers=bearer(tokens(store)["a"]))
    assert answer.status_code == 201, answer.json
    assert client.get("/api/callbacks").status_code == 401
