"""Shared mode, item by item: a vendor token reads and erases only its own consumer's
notifications, paper letters, citizen actions, callback registrations, read status, SMS
and conformance runs, while an admin sees all; every state-changing route of the whole
application (the dispatch core's included) needs a token; and the reference care system
presents its own (``KALLELSE_API_TOKEN``). On SQLite and (``-m postgres``) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from werkzeug.test import Client

from simulator.auth import access
from simulator.auth.store import TokenStore
from simulator.auth.tokens import READING, Role
from simulator.citizen.core import CitizenSide
from tests.auth.test_shared_mode import NOW, VENDOR_A, VENDOR_B, bearer, tokens
from tests.inbox import wire

ADD_MESSAGE = "/inbox/AddMessage/2/rivtabp21"
PNR = "191212121212"
BOOKING = (
    "<core:booking><core:bookingId>{booking}</core:bookingId><core:isInvitation>true</core:isInvitation>"
    "<core:cancelBookingAllowed>true</core:cancelBookingAllowed></core:booking>"
)
LETTER = {"personnummer": PNR, "sender_facility": {"name": "Vårdcentralen", "hsa_id": "SE1"}, "text": "Hej"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bed(request, tmp_path):
    """The whole application in shared mode with the dispatch core's web part, in-process;
    two vendors' messages (with a booking, notify on) for one citizen."""
    from simulator import app as app_module
    from simulator.config import Config

    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    config = Config(data_dir=tmp_path / "data", database_url=url, shared=True)
    config.extra["parts"] = ("dispatchcore.wiring",)
    app = app_module.create_app(config)
    store = TokenStore(app.config["RUNTIME"].db)
    secrets = tokens(store)
    client = Client(app)
    citizen = {
        "personnummer": PNR,
        "given_name": "Tolvan",
        "surname": "T",
        "account": {"exists": True, "active": True, "sms_notification": True, "mobile": "0701234567"},
    }
    created = client.post("/api/citizens", headers=bearer(secrets["admin"]), json=citizen)
    assert created.status_code == 201, created.json
    for consumer, name in ((VENDOR_A, "A"), (VENDOR_B, "B")):
        body = wire.add_message_body(
            PNR,
            notify=True,
            business_object_id=f"{name}-1",
            source_system=f"SRC-{name}",
            extra_message=BOOKING.format(booking=f"BK-{name}"),
        )
        headers = {
            "SOAPAction": f'"{wire.ADD_MESSAGE_ACTION}"',
            "Content-Type": "text/xml; charset=utf-8",
            "x-rivta-original-serviceconsumer-hsaid": consumer,
        }
        answer = client.post(ADD_MESSAGE, data=wire.envelope(body, "5565594230").encode(), headers=headers)
        assert answer.status_code == 200 and "<resultCode>OK" in answer.get_data(as_text=True)
    return app, client, secrets


def get(client: Client, path: str, secret: str, **query):
    answer = client.get(path, headers=bearer(secret), query_string=query)
    assert answer.status_code == 200, (path, answer.status_code, answer.get_data(as_text=True)[:300])
    return answer.json


def test_notifications_are_the_vendors_own(bed):
    _, client, secrets = bed
    assert {n["consumer"] for n in get(client, "/api/notifications", secrets["admin"])} == {VENDOR_A, VENDOR_B}
    assert {n["consumer"] for n in get(client, "/api/notifications", secrets["a"])} == {VENDOR_A}
    assert {n["consumer"] for n in get(client, "/api/notifications", secrets["b"], personnummer=PNR)} == {VENDOR_B}


def test_read_status_is_the_vendors_own(bed):
    _, client, secrets = bed
    assert client.get("/api/threads/B-1", headers=bearer(secrets["a"])).status_code == 404
    assert get(client, "/api/threads/A-1", secrets["a"])["messages"]
    assert get(client, "/api/threads/B-1", secrets["admin"])["messages"]
    inbox = get(client, f"/api/citizens/{PNR}/inbox", secrets["b"])
    assert [t["business_object_id"] for t in inbox["threads"]] == ["B-1"] and inbox["unread_count"] == 1


def test_paper_letters_are_the_vendors_own(bed):
    _, client, secrets = bed
    sent = {}
    for who in ("a", "b"):
        # the header claims the other vendor: the token decides whose letter it is
        headers = bearer(secrets[who]) | {
            "x-rivta-original-serviceconsumer-hsaid": VENDOR_B if who == "a" else VENDOR_A
        }
        answer = client.post("/api/paper-letters", headers=headers, json=LETTER)
        assert answer.status_code == 201, answer.json
        sent[who] = answer.json["letter_id"]
    assert [x["letter_id"] for x in get(client, "/api/paper-letters", secrets["a"])] == [sent["a"]]
    assert {x["letter_id"] for x in get(client, "/api/paper-letters", secrets["admin"])} == set(sent.values())
    for path in (f"/api/paper-letters/{sent['b']}", f"/api/paper-letters/{sent['b']}/document"):
        assert client.get(path, headers=bearer(secrets["a"])).status_code == 404, path
        assert client.get(path, headers=bearer(secrets["b"])).status_code == 200, path
        assert client.get(path, headers=bearer(secrets["admin"])).status_code == 200, path
    assert client.post("/api/paper-letters", json=LETTER).status_code == 401
    assert client.post("/api/paper-letters", headers=bearer(secrets["viewer"]), json=LETTER).status_code == 403


def test_callbacks_and_citizen_actions_are_the_vendors_own(bed, monkeypatch):
    from simulator.citizen import callbacks

    app, client, secrets = bed
    posted: list[str] = []  # where each action would be delivered (no thread outlives the test)
    monkeypatch.setattr(callbacks, "deliver_in_background", lambda store, row, url: posted.append(url))
    for who, name in (("a", "A"), ("b", "B")):
        registration = {"source_system": f"SRC-{name}", "url": f"http://127.0.0.1:9/{name}"}
        assert client.post("/api/callbacks", headers=bearer(secrets[who]), json=registration).status_code == 201
    assert [c["source_system"] for c in get(client, "/api/callbacks", secrets["a"])] == ["SRC-A"]
    assert len(get(client, "/api/callbacks", secrets["admin"])) == 2
    hijack = {"source_system": "SRC-B", "url": "http://127.0.0.1:9/stolen"}
    refused = client.post("/api/callbacks", headers=bearer(secrets["a"]), json=hijack)
    assert refused.status_code == 403 and refused.json["field"] == "source_system"
    assert client.delete("/api/callbacks/SRC-B", headers=bearer(secrets["a"])).status_code == 404, "not erased"
    assert [c["url"] for c in get(client, "/api/callbacks", secrets["b"])] == ["http://127.0.0.1:9/B"]
    assert client.post("/api/callbacks", json=hijack).status_code == 401

    side = CitizenSide(app.config["RUNTIME"])
    for name in ("A", "B"):
        message_id = get(client, f"/api/threads/{name}-1", secrets["admin"])["messages"][0]["message_id"]
        row = side.act(PNR, message_id, "cancel")
        assert row["callback_url"] == f"http://127.0.0.1:9/{name}", "each vendor's action goes to its own URL"
    assert posted == ["http://127.0.0.1:9/A", "http://127.0.0.1:9/B"]
    assert {x["consumer"] for x in get(client, "/api/citizen-actions", secrets["a"])} == {VENDOR_A}
    assert {x["source_system"] for x in get(client, "/api/citizen-actions", secrets["b"])} == {"SRC-B"}
    assert len(get(client, "/api/citizen-actions", secrets["admin"])) == 2

    assert client.delete("/api/callbacks/SRC-B", headers=bearer(secrets["b"])).status_code == 204
    assert client.delete("/api/callbacks/SRC-A", headers=bearer(secrets["admin"])).status_code == 204
    assert get(client, "/api/callbacks", secrets["admin"]) == []


def test_sms_gateway_messages_are_the_senders_own(bed):
    _, client, secrets = bed
    for who in ("a", "b"):
        sms = {"idempotency_key": f"k-{who}", "recipient": "0701234567", "text": "Påminnelse", "personnummer": PNR}
        assert client.post("/api/sms-gateway/messages", headers=bearer(secrets[who]), json=sms).status_code == 201
    assert [m["idempotency_key"] for m in get(client, "/api/sms-gateway/messages", secrets["a"])] == ["k-a"]
    assert len(get(client, "/api/sms-gateway/messages", secrets["admin"])) == 2


def test_conformance_runs_are_the_vendors_own(bed, monkeypatch):
    app, client, secrets = bed
    from simulator.certification import runs as runs_module

    root = app.config["RUNTIME"].config.data_dir / "certification"
    written = {}
    for consumer in (VENDOR_A, VENDOR_B, None):
        run_id = f"{len(written):016x}"
        directory = root / run_id
        directory.mkdir(parents=True)
        asked = {
            "adapter_url": "http://127.0.0.1:9/adapter",
            "profile": "rjl",
            "rules": ["MC-01"],
            "created": f"2026-11-30T10:0{len(written)}:00+00:00",
            "consumer": consumer,
        }
        (directory / "request.json").write_text(json.dumps(asked))
        (directory / "progress.json").write_text(json.dumps({"state": "finished"}))
        (directory / "report").mkdir()
        (directory / "report" / "report.json").write_text(json.dumps({"summary": {"passed": 1}}))
        written[consumer] = run_id
    runs = runs_module.Runs(root, "http://127.0.0.1:9", root / "keys", lambda: NOW)
    assert [v.run_id for v in runs.history(VENDOR_A)] == [written[VENDOR_A]]
    assert len(runs.history()) == 3

    def session(secret: str) -> Client:
        browser = Client(app)
        form = browser.get("/login").get_data(as_text=True)
        csrf = form.split('name="csrf" value="')[1].split('"')[0]
        assert browser.post("/login", data={"token": secret, "csrf": csrf, "next": "/certifiering/"}).status_code == 302
        return browser

    vendor_a, admin, viewer = session(secrets["a"]), session(secrets["admin"]), session(secrets["viewer"])
    page_a = vendor_a.get("/certifiering/").get_data(as_text=True)
    assert written[VENDOR_A] in page_a and written[VENDOR_B] not in page_a and written[None] not in page_a
    page_admin = admin.get("/certifiering/").get_data(as_text=True)
    assert all(run_id in page_admin for run_id in written.values())
    for path in (
        f"/certifiering/korningar/{written[VENDOR_B]}",
        f"/certifiering/korningar/{written[VENDOR_B]}/report.json",
    ):
        assert vendor_a.get(path).status_code == 404, path
        assert admin.get(path).status_code == 200, path
    assert viewer.get(f"/certifiering/korningar/{written[VENDOR_B]}").status_code == 200
    assert viewer.post("/certifiering/", data={}).status_code == 403, "a viewer starts nothing"
    assert Client(app).get("/certifiering/").status_code == 302, "no login, no page"
    assert Client(app).get("/certifiering/nyckel.pub.pem").status_code == 200, "the key that verifies is public"
    assert Client(app).post("/certifiering/", data={}).status_code == 401
    assert vendor_a.get("/kontroll/klocka").status_code == 403


# Routes that change state but take no token in shared mode, and why.
NO_TOKEN = {
    "auth.login": "the log-in itself",
    "auth.logout": "forgets the session's login; nothing else",
    "dispatch_api.citizen_action": "the care system's receiver of the simulator's callbacks (access.CALLBACK_RECEIVERS)",
}


def test_every_state_changing_route_needs_a_token(bed):
    """Enumerates the url_map (the dispatch core's routes included): without a token every
    POST/PUT/PATCH/DELETE is refused before its view runs; with a viewer token too."""
    app, _, secrets = bed
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - READING):
            if rule.endpoint in NO_TOKEN:
                assert access.exempt(rule.endpoint, method)
                continue
            path = rule.build({name: _sample(name) for name in rule.arguments}, append_unknown=False)[1]
            answer = Client(app).open(path, method=method, json={})
            assert answer.status_code == 401, (method, rule.rule, answer.status_code)
            assert answer.json["field"] == "Authorization"
            viewer = Client(app).open(path, method=method, json={}, headers=bearer(secrets["viewer"]))
            assert viewer.status_code == 403, (method, rule.rule, viewer.status_code)
            checked += 1
    assert checked >= 30, checked


def _sample(name: str) -> str | int:
    return 1 if name in ("rule_id", "record_id") else "x"


def test_the_care_system_presents_its_token(monkeypatch):
    """dispatchcore's sessions send KALLELSE_API_TOKEN to the simulator's base URL, never elsewhere."""
    import requests

    from dispatchcore.apitoken import authorize

    monkeypatch.setenv("KALLELSE_API_TOKEN", "kt_secret")
    session = authorize(requests.Session(), "http://sim")
    own = session.prepare_request(requests.Request("POST", "http://sim/api/paper-letters"))
    other = session.prepare_request(requests.Request("POST", "http://elsewhere:8080/api/paper-letters"))
    lookalike = session.prepare_request(requests.Request("GET", "http://sim.evil.example/api/clock"))
    assert own.headers["Authorization"] == "Bearer kt_secret"
    assert "Authorization" not in other.headers and "Authorization" not in lookalike.headers
    monkeypatch.delenv("KALLELSE_API_TOKEN")
    assert authorize(requests.Session(), "http://sim:8080").auth is None


def test_serve_shared_gives_the_embedded_care_system_a_vendor_token(tmp_path, monkeypatch):
    from dispatchcore import cli as dispatch_cli
    from simulator import cli
    from simulator.config import Config
    from simulator.server import prepare

    monkeypatch.setenv("KALLELSE_API_TOKEN", "")  # restored after the test
    config = Config(data_dir=tmp_path / "data", shared=True)
    store = TokenStore(prepare(config, seed=False).db)
    for _ in range(2):
        cli._care_system_token(config)
    secret = dispatch_cli.os.environ["KALLELSE_API_TOKEN"]
    token = store.find(secret)
    assert token is not None and token.role is Role.VENDOR and token.consumer == dispatch_cli.consumer_hsa_id()
    assert sum(not t.revoked for t in store.all()) == 1, "the previous start's token is revoked"
    monkeypatch.setenv("KALLELSE_API_TOKEN", "")
    cli._care_system_token(Config(data_dir=tmp_path / "data"))
    assert dispatch_cli.os.environ["KALLELSE_API_TOKEN"] == "", "outside shared mode: no token"


def test_tokens_renew_revokes_the_previous_one(tmp_path):
    from simulator.config import Config
    from simulator.server import prepare

    store = TokenStore(prepare(Config(data_dir=tmp_path / "data"), seed=False).db)
    first = store.renew(Role.VENDOR, VENDOR_A, "worker", NOW)
    second = store.renew(Role.VENDOR, VENDOR_A, "worker", NOW + dt.timedelta(seconds=1))
    assert store.find(first) is None and store.find(second) is not None


@pytest.mark.slow
def test_serve_shared_runs_the_embedded_dispatch_worker_end_to_end(tmp_path):
    """kallelse serve --shared: the dispatch worker hands a paper letter in and registers its
    callback with the vendor token serve made for it; both are its consumer's."""
    import time

    import requests

    from dispatchcore import cli as dispatch_cli
    from simulator.config import Config
    from simulator.population.personnummer import with_check_digit
    from simulator.server import prepare
    from tests.dispatch.conftest import FACILITY
    from tests.support import SimulatorProcess

    data = tmp_path / "data"
    admin = TokenStore(prepare(Config(data_dir=data), seed=False).db).create(Role.ADMIN, None, "t", NOW)[1]
    server = SimulatorProcess(data, extra_args=("--shared",), env={"KALLELSE_API_TOKEN": ""}).start()
    try:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {admin}"
        citizen = {
            "personnummer": with_check_digit("19400101987"),
            "given_name": "Pappers",
            "surname": "Brev",
            "address": {"street": "Storgatan 1", "postal_code": "55316", "city": "Jönköping"},
            "account": {"exists": False},
        }
        assert http.post(f"{server.url}/api/citizens", json=citizen, timeout=30).status_code == 201
        now = dt.datetime.fromisoformat(http.get(f"{server.url}/api/clock", timeout=30).json()["now"])
        booking = {
            "booking_id": "SHARED-1",
            "personnummer": citizen["personnummer"],
            "visit_type": "Arbetsprov",
            "facility": FACILITY,
            "profile": "rjl",
            "visit_start": (now + dt.timedelta(days=14)).isoformat(),
        }
        answer = http.post(f"{server.url}/dispatch/api/bookings", json=booking, timeout=30)
        assert answer.status_code == 201, answer.text
        consumer = dispatch_cli.consumer_hsa_id()
        deadline = time.monotonic() + 90
        letters: list = []
        while time.monotonic() < deadline and not letters:
            time.sleep(1)
            letters = http.get(f"{server.url}/api/paper-letters", timeout=30).json()
        assert letters and {x["consumer"] for x in letters} == {consumer}, server.log_path.read_text()[-3000:]
        registered = http.get(f"{server.url}/api/callbacks", timeout=30).json()
        assert registered and {c["consumer"] for c in registered} == {consumer}
        # the trainer page reads the demo persons with the care system's token, too
        demo = http.get(f"{server.url}/api/citizens", params={"seeded": "true", "limit": 1000}, timeout=30).json()
        labelled = [c["personnummer"] for c in demo["items"] if c.get("label")]
        page = http.get(f"{server.url}/dispatch/", timeout=30).text
        assert labelled and f'value="{labelled[0]}"' in page
    finally:
        server.stop()
