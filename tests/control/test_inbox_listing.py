"""GET /api/citizens/<personnummer>/inbox after real AddMessage calls: threads by
businessObjectId (MC-09), messages in order, read status and read time (RP-02), the
DocBook verdict (MC-02), facility and booking as sent."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from openapi_schema_validator import OAS31Validator

from simulator.inbox.store import InboxStore
from simulator.population.personnummer import with_check_digit
from simulator.storage import Database
from simulator.storage.database import sqlite_url
from tests.inbox.wire import add_message, response_payload

DIGITAL = with_check_digit("19600606210")
NO_ACCOUNT = with_check_digit("19600606220")
FACILITY = (
    "<core:healthCareFacility><core:hsaId>SE2321000016-ABCD</core:hsaId>"
    "<core:healthCareFacilityName>Fysiologen Ryhov</core:healthCareFacilityName></core:healthCareFacility>"
    "<core:booking><core:bookingId>B-77</core:bookingId><core:isInvitation>true</core:isInvitation>"
    "<core:cancelled>false</core:cancelled><core:bookingDate>2026-12-01T09:30:00</core:bookingDate>"
    "</core:booking>"
)


def result_code(response) -> str:
    return response_payload(response).findtext("{*}resultCode")


@pytest.fixture(scope="module")
def inbox(simulator):
    """Two citizens and four AddMessage calls: thread BO-A (two messages), thread BO-B
    (facility, booking, DocBook outside the subset), and one to a citizen without account."""
    for pnr, account in (
        (DIGITAL, {"exists": True, "active": True, "sms_notification": True}),
        (NO_ACCOUNT, {"exists": False}),
    ):
        created = requests.post(
            f"{simulator.url}/api/citizens",
            timeout=10,
            json={"personnummer": pnr, "given_name": "Inga", "surname": "Inkorg", "account": account},
        )
        assert created.status_code == 201, created.text
    sent = [
        add_message(simulator.url, DIGITAL, business_object_id="BO-A", header_text="Kallelse"),
        add_message(simulator.url, DIGITAL, business_object_id="BO-A", header_text="Påminnelse"),
        add_message(
            simulator.url,
            DIGITAL,
            business_object_id="BO-B",
            extra_message=FACILITY,
            msg="<article><blink>Hej</blink></article>",
        ),
        add_message(simulator.url, NO_ACCOUNT, business_object_id="BO-C"),
    ]
    assert [result_code(r) for r in sent] == ["OK", "OK", "OK", "INFO"]
    return simulator


def listing(server, pnr, **params):
    response = requests.get(f"{server.url}/api/citizens/{pnr}/inbox", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_threads_group_messages_by_business_object_id_newest_first(inbox):
    data = listing(inbox, DIGITAL)
    assert (data["thread_count"], data["message_count"], data["unread_count"]) == (2, 3, 3)
    assert [t["business_object_id"] for t in data["threads"]] == ["BO-B", "BO-A"]
    thread_a = data["threads"][1]
    assert [m["header_text"] for m in thread_a["messages"]] == ["Kallelse", "Påminnelse"]
    assert all(m["case_read_status"] == "Unread" and m["read_at"] is None for m in thread_a["messages"])
    received = dt.datetime.fromisoformat(thread_a["messages"][0]["received_at"])
    assert received.tzinfo is not None
    assert thread_a["messages"][0]["logical_address"] and thread_a["messages"][0]["consumer"]


def test_facility_booking_and_docbook_verdict_are_shown(inbox):
    message = listing(inbox, DIGITAL)["threads"][0]["messages"][0]
    assert message["facility"]["hsa_id"] == "SE2321000016-ABCD"
    assert message["facility"]["name"] == "Fysiologen Ryhov"
    assert message["booking"]["booking_id"] == "B-77"
    assert message["booking"]["is_invitation"] is True and message["booking"]["cancelled"] is False
    assert message["booking"]["booking_date"].startswith("2026-12-01T09:30")
    assert message["docbook_ok"] is False
    assert any(v["element"] == "blink" for v in message["docbook_violations"])
    plain = listing(inbox, DIGITAL)["threads"][1]["messages"][0]
    assert plain["docbook_ok"] is True and plain["docbook_violations"] == []
    assert plain["booking"] is None


def test_a_message_stored_with_info_is_listed_with_its_result_code(inbox):
    data = listing(inbox, NO_ACCOUNT)
    assert [m["result_code"] for t in data["threads"] for m in t["messages"]] == ["INFO"]


def test_read_status_and_read_time(inbox):
    store = InboxStore(Database(sqlite_url(inbox.data_dir)))
    first = listing(inbox, DIGITAL)["threads"][1]["messages"][0]
    read_at = dt.datetime(2026, 11, 3, 8, 15, tzinfo=dt.UTC)
    store.mark_read(first["message_id"], read_at)
    data = listing(inbox, DIGITAL)
    message = data["threads"][1]["messages"][0]
    assert message["case_read_status"] == "Read"
    assert dt.datetime.fromisoformat(message["read_at"]) == read_at
    assert data["unread_count"] == 2 and data["threads"][1]["unread_count"] == 1


def test_status_filter_and_message_xml(inbox):
    store = InboxStore(Database(sqlite_url(inbox.data_dir)))
    assert store.set_selection_status(DIGITAL, "bo:BO-B", "Archived") == 1
    archived = listing(inbox, DIGITAL, status="Archived")
    assert [t["business_object_id"] for t in archived["threads"]] == ["BO-B"]
    active = listing(inbox, DIGITAL, status="Active", include_xml="true")
    assert [t["business_object_id"] for t in active["threads"]] == ["BO-A"]
    assert "<" in active["threads"][0]["messages"][0]["message_xml"]
    assert "BO-A" in active["threads"][0]["messages"][0]["message_xml"]
    assert "message_xml" not in listing(inbox, DIGITAL)["threads"][0]["messages"][0]


def test_the_listing_matches_the_documented_schema(inbox):
    document = requests.get(f"{inbox.url}/api/openapi.json", timeout=10).json()
    validator = OAS31Validator({"$ref": "#/components/schemas/Inbox", "components": document["components"]})
    errors = [e.message for e in validator.iter_errors(listing(inbox, DIGITAL, include_xml="true"))]
    assert not errors


@pytest.mark.parametrize(
    "path, params, status, field",
    [
        (f"/api/citizens/{with_check_digit('19600606230')}/inbox", {}, 404, "personnummer"),
        ("/api/citizens/1960060621/inbox", {}, 400, "personnummer"),
        (f"/api/citizens/{DIGITAL}/inbox", {"status": "Deleted"}, 400, "status"),
        (f"/api/citizens/{DIGITAL}/inbox", {"include_xml": "please"}, 400, "include_xml"),
    ],
)
def test_bad_requests_name_the_field(inbox, path, params, status, field):
    response = requests.get(f"{inbox.url}{path}", params=params, timeout=10)
    assert response.status_code == status
    assert response.json()["field"] == field
