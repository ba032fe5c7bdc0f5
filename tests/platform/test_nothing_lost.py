"""Nothing silently lost (issue 13, item 4), on SQLite and PostgreSQL alike: values of any
length the contracts and the HTTP layer accept are recorded whole (traffic, notification,
the citizen's Avboka), a body with NUL bytes keeps its traffic record, and a traffic
record or notification that cannot be written is an alarm — logged at ERROR and counted
in ``kallelse_alarms_total`` on /metrics — while the caller still gets its answer."""

from __future__ import annotations

import contextlib
import re

import pytest
import requests
import sqlalchemy as sa

from tests.inbox import wire
from tests.support import SimulatorProcess, drop_postgres_schema, new_postgres_schema, postgres_available, require

ADD_MESSAGE_PATH = "/inbox/AddMessage/2/rivtabp21"
BOOKING = (
    "<core:booking><core:bookingId>{booking}</core:bookingId><core:isInvitation>true</core:isInvitation>"
    "<core:cancelBookingAllowed>true</core:cancelBookingAllowed></core:booking>"
)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path_factory):
    url = None
    if request.param == "postgres":
        require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
        url = new_postgres_schema()
    server = SimulatorProcess(tmp_path_factory.mktemp("lossless"), database_url=url).start()
    yield server
    server.stop()
    if url:
        drop_postgres_schema(url)


def send(server, pnr: str, bo: str, *, logical_address=wire.LOGICAL_ADDRESS, consumer=wire.CONSUMER, **kwargs):
    body = wire.add_message_body(pnr, business_object_id=bo, extra_message=BOOKING.format(booking=bo), **kwargs)
    return wire.post(
        server.url, ADD_MESSAGE_PATH, wire.envelope(body, logical_address), wire.ADD_MESSAGE_ACTION, consumer=consumer
    )


def result_code(answer) -> str:
    return wire.response_payload(answer).findtext("{*}resultCode")


def traffic(server, **filters) -> list[dict]:
    answer = requests.get(f"{server.url}/api/traffic", params={"bodies": "true", **filters}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def alarms(server) -> dict[str, int]:
    text = requests.get(f"{server.url}/metrics", timeout=30).text
    return {m[1]: int(m[2]) for m in re.finditer(r'(?m)^kallelse_alarms_total\{kind="([^"]+)"\} (\d+)$', text)}


def csrf_token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "no csrf_token on the page"
    return found[1]


def avboka(server, pnr: str, bo: str) -> requests.Response:
    """The citizen logs in and presses Avboka on the kallelse, as in the browser."""
    session = requests.Session()
    token = csrf_token(session.get(f"{server.url}/inkorg/logga-in", timeout=30).text)
    session.post(f"{server.url}/inkorg/logga-in", data={"csrf_token": token, "personnummer": pnr}, timeout=30)
    [thread] = requests.get(f"{server.url}/api/threads/{bo}", timeout=30).json()["messages"]
    page = session.get(f"{server.url}/inkorg/arende/{thread['message_id']}", timeout=30)
    return session.post(
        f"{server.url}/inkorg/arende/{thread['message_id']}/bokning/cancel",
        data={"csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=30,
    )


def new_person(server) -> str:
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(wire.person(pnr))
    return pnr


@contextlib.contextmanager
def refusing_inserts(server, table: str):
    """A trigger that makes every INSERT into ``table`` fail: a full disk, a broken
    migration, a constraint nobody foresaw — the failure the alarm is for."""
    db = wire.server_database(server)
    with db.begin() as conn:
        if db.is_sqlite:
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            conn.execute(
                sa.text(
                    "CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_insert()"
                )
            )
    try:
        yield
    finally:
        with db.begin() as conn:
            conn.execute(sa.text(f"DROP TRIGGER refuse_{table}" + ("" if db.is_sqlite else f" ON {table}")))
        db.dispose()


def test_long_values_are_recorded_whole_and_avboka_works(server):
    pnr = new_person(server)
    bo = f"LONG-{pnr}"
    address, consumer, source = "LA-" + "a" * 5000, "SE-" + "c" * 4000, "SRC-" + "s" * 3000
    answer = send(server, pnr, bo, logical_address=address, consumer=consumer, notify=True, source_system=source)
    assert result_code(answer) == "OK"
    [record] = traffic(server, business_object_id=bo, contract="AddMessage")
    assert (record["logical_address"], record["consumer"], record["source_system"]) == (address, consumer, source)
    assert record["outcome"] == "ok"

    notes = requests.get(f"{server.url}/api/notifications", params={"personnummer": pnr}, timeout=30).json()
    assert sorted(n["channel"] for n in notes) == ["email", "sms"]
    assert {n["source_system"] for n in notes} == {source}

    assert avboka(server, pnr, bo).status_code == 302
    [action] = requests.get(f"{server.url}/api/citizen-actions", params={"personnummer": pnr}, timeout=30).json()
    assert (action["action"], action["source_system"]) == ("cancel", source)


def test_a_long_business_object_id_is_stored_and_recorded(server):
    """Neither the contract nor the TKB limits businessObjectId (docs/inbox.md, Limits): a
    3,000-character one is stored, and its traffic record keeps it whole on both databases."""
    pnr, bo = new_person(server), "BO-" + "b" * 3000
    assert result_code(send(server, pnr, bo)) == "OK"
    [record] = traffic(server, business_object_id=bo)
    assert record["result_code"] == "OK" and record["business_object_id"] == bo


def test_a_body_with_nul_bytes_keeps_its_traffic_record(server):
    pnr = new_person(server)
    body = wire.envelope(wire.add_message_body(pnr, business_object_id=f"NUL-{pnr}")).replace(
        "<notify>", "\x00<notify>"
    )
    answer = wire.post(server.url, ADD_MESSAGE_PATH, body, wire.ADD_MESSAGE_ACTION)
    assert wire.fault(answer)[0] == "soap:Client"
    newest = traffic(server, contract="AddMessage", outcome="client_fault", limit=1)[0]
    assert "\u2400<notify>" in newest["request_body"] and "\x00" not in newest["request_body"]


def test_a_traffic_record_that_cannot_be_written_is_an_alarm(server):
    pnr = new_person(server)
    before = alarms(server)
    with refusing_inserts(server, "traffic"):
        assert result_code(send(server, pnr, f"ALARM-{pnr}")) == "OK"  # the caller is answered
    assert alarms(server)["traffic_record_lost"] == before["traffic_record_lost"] + 1
    assert re.search(r"ERROR .*ALARM traffic_record_lost: AddMessage answer \(HTTP 200\) not recorded", server.log())
    assert pnr not in server.log()  # the statement's parameters are not logged


def test_a_notification_that_cannot_be_stored_is_an_alarm_and_avboka_still_works(server):
    pnr = new_person(server)
    bo = f"NOTE-{pnr}"
    before = alarms(server)["notification_lost"]
    with refusing_inserts(server, "citizen_notifications"):
        assert result_code(send(server, pnr, bo, notify=True, source_system="SE2321000016-SRC")) == "OK"
    assert alarms(server)["notification_lost"] == before + 1
    assert "ALARM notification_lost" in server.log()
    assert avboka(server, pnr, bo).status_code == 302
