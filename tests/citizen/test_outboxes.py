"""The notification outbox, the paper outbox and the threads API over real HTTP, as a
care system and a tester use them; POST /api/reset empties them."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from simulator.citizen.notifications import EMAIL_SUBJECT, SMS_TEXT
from tests.citizen.conftest import kallelse, unique

pytestmark = pytest.mark.usefixtures("clean")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def letter(pnr, **fields):
    return {
        "personnummer": pnr,
        "sender_facility": {"name": "Vårdcentralen Testvik", "hsa_id": "SE2321000016-F1"},
        "reason_rule_ids": ["CH-02"],
        "text": "Kallelse till provtagning",
        **fields,
    }


# --- notifications ------------------------------------------------------------------


def test_notify_true_sends_by_the_channels_each_citizen_chose(care_system, people):
    for name in ("tolvan", "anna", "karl", "david"):
        care_system.add_message(kallelse(people[name], unique("n"), notify=True))
    care_system.add_message(kallelse(people["tolvan"], unique("n"), notify=False))
    sent = care_system.api("GET", "/api/notifications").json()
    by_person = {}
    for row in sent:
        by_person.setdefault(row["personnummer"], []).append(row["channel"])
    assert {k: sorted(v) for k, v in by_person.items()} == {
        people["tolvan"]: ["sms"],
        people["anna"]: ["email"],
        people["karl"]: ["email", "sms"],
    }
    karl = care_system.api("GET", "/api/notifications", params={"personnummer": people["karl"]}).json()
    assert {(r["channel"], r["text"] if r["channel"] == "sms" else r["subject"]) for r in karl} == {
        ("sms", SMS_TEXT),
        ("email", EMAIL_SUBJECT),
    }
    assert all("Testvik" not in r["text"] and "provtagning" not in r["text"].lower() for r in sent)  # MC-12


def test_notifications_page_lists_them(simulator, care_system, people):
    care_system.add_message(kallelse(people["tolvan"], unique("n"), notify=True))
    page = requests.get(
        f"{simulator.url}/kontroll/aviseringar", params={"personnummer": people["tolvan"]}, timeout=10
    ).text
    assert "SMS" in page and "Du har fått ett nytt meddelande i 1177 Inkorg" in page


def test_a_bad_personnummer_filter_is_400_naming_it(care_system):
    answer = care_system.api("GET", "/api/notifications", params={"personnummer": "123"})
    assert answer.status_code == 400 and answer.json()["field"] == "personnummer"


# --- threads --------------------------------------------------------------------------


def test_thread_api_lists_the_messages_with_read_status(care_system, people):
    bo = unique("t/with slash")
    care_system.add_message(kallelse(people["tolvan"], bo))
    thread = care_system.api("GET", f"/api/threads/{bo}").json()
    assert thread["business_object_id"] == bo
    assert [(m["case_read_status"], m["read_at"], m["user_selection_status"]) for m in thread["messages"]] == [
        ("Unread", None, "Active")
    ]
    assert care_system.api("GET", f"/api/threads/{bo}", params={"personnummer": people["anna"]}).status_code == 404
    assert care_system.api("GET", "/api/threads/nothing-here").status_code == 404


# --- paper letters ------------------------------------------------------------------


def test_a_pdf_letter_is_stored_and_its_document_served_back(care_system, people):
    body = letter(
        people["anna"],
        business_object_id="bo-p1",
        booking_id="B-1",
        address={"name": "Anna Andersson", "street": "Exempelgatan 2", "postal_code": "411 01", "city": "Göteborg"},
    )
    del body["text"]
    body["pdf_base64"] = base64.b64encode(PDF).decode()
    created = care_system.api("POST", "/api/paper-letters", json=body)
    assert created.status_code == 201, created.text
    data = created.json()
    assert (data["content_type"], data["size"], data["submitted_by"]) == (
        "application/pdf",
        len(PDF),
        care_system.consumer,
    )
    assert data["address"]["city"] == "Göteborg" and data["protected_citizen"] is False
    document = care_system.api("GET", f"/api/paper-letters/{data['letter_id']}/document")
    assert document.content == PDF and document.headers["Content-Type"] == "application/pdf"
    assert document.headers["Content-Disposition"].startswith("attachment")


def test_multipart_letters_are_accepted(care_system, people):
    metadata = {k: v for k, v in letter(people["david"]).items() if k != "text"}
    answer = care_system.api(
        "POST",
        "/api/paper-letters",
        data={"metadata": json.dumps(metadata)},
        files={"document": ("brev.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 201, answer.text
    answer = care_system.api(
        "POST",
        "/api/paper-letters",
        data={"metadata": json.dumps(metadata)},
        files={"document": ("brev.txt", b"Hej David", "text/plain")},
    )
    assert answer.status_code == 201 and answer.json()["content_type"].startswith("text/plain")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"json": {"personnummer": "191212121212"}}, "pdf_base64"),
        ({"json": ["not", "an", "object"]}, "body"),
        ({"data": {"metadata": "{"}, "files": {"document": ("a.pdf", PDF, "application/pdf")}}, "metadata"),
        ({"files": {"metadata": (None, "{}")}}, "document"),
        ({"data": {"metadata": "{}"}, "files": {"document": ("a.pdf", b"<html>", "application/pdf")}}, "document"),
    ],
)
def test_malformed_submissions_are_400_naming_the_field(care_system, kwargs, field):
    answer = care_system.api("POST", "/api/paper-letters", **kwargs)
    assert answer.status_code == 400 and answer.json()["field"] == field, answer.text
    assert care_system.api("GET", "/api/paper-letters").json() == []


def test_protected_person_letter_never_shows_an_address_ch10(simulator, care_system, people):
    refused = care_system.api(
        "POST",
        "/api/paper-letters",
        json=letter(
            people["lova"], protected_address_route=True, address={"street": "Hemlig väg 1", "city": "Jönköping"}
        ),
    )
    assert refused.status_code == 400 and refused.json()["field"] == "address" and "CH-10" in refused.json()["error"]
    created = care_system.api("POST", "/api/paper-letters", json=letter(people["lova"], protected_address_route=True))
    assert created.status_code == 201 and created.json()["address"] is None
    unflagged = care_system.api("POST", "/api/paper-letters", json=letter(people["lova"])).json()
    assert unflagged["protected_citizen"] and "CH-10" in unflagged["warnings"][0]
    page = requests.get(f"{simulator.url}/kontroll/pappersbrev", timeout=10).text
    assert page.count("<strong>skyddad adress</strong>") == 2 and "Hemlig" not in page


def test_a_batch_of_letters_is_stored_together_or_not_at_all(care_system, people):
    """POST /api/paper-letters/batch: each letter checked as a single one; one bad letter
    (named by its place) and none is stored; else all, answered in the order sent."""
    pdf = {"pdf_base64": base64.b64encode(PDF).decode()}
    good = [letter(people["anna"], business_object_id="bo-b1"), letter(people["david"], business_object_id="bo-b2")]
    cases = [
        ([*good, {**letter(people["karl"]), "text": None}], "letters[2].text"),
        ([good[0], {"personnummer": people["karl"], **pdf}], "letters[1].sender_facility"),
        ([good[0], letter(people["lova"], protected_address_route=True, address={"city": "X"})], "letters[1].address"),
        ([good[0], "a letter"], "letters[1]"),
        ([], "letters"),
    ]
    for letters, field in cases:
        refused = care_system.api("POST", "/api/paper-letters/batch", json={"letters": letters})
        assert refused.status_code == 400 and refused.json()["field"] == field, refused.text
    assert care_system.api("GET", "/api/paper-letters").json() == []
    with_pdf = {**{k: v for k, v in letter(people["karl"]).items() if k != "text"}, **pdf}
    created = care_system.api("POST", "/api/paper-letters/batch", json={"letters": [*good, with_pdf]})
    assert created.status_code == 201, created.text
    answer = created.json()
    assert [a["personnummer"] for a in answer] == [people["anna"], people["david"], people["karl"]]
    assert answer[2]["content_type"] == "application/pdf" and answer[0]["submitted_by"] == care_system.consumer
    stored = care_system.api("GET", "/api/paper-letters").json()
    assert sorted(a["letter_id"] for a in stored) == sorted(a["letter_id"] for a in answer)


def test_letters_are_filtered_by_person_and_thread(care_system, people):
    care_system.api("POST", "/api/paper-letters", json=letter(people["anna"], business_object_id="bo-a"))
    care_system.api("POST", "/api/paper-letters", json=letter(people["david"], business_object_id="bo-d"))
    by_person = care_system.api("GET", "/api/paper-letters", params={"personnummer": people["anna"]}).json()
    by_thread = care_system.api("GET", "/api/paper-letters", params={"business_object_id": "bo-d"}).json()
    assert [letter["personnummer"] for letter in by_person] == [people["anna"]]
    assert [letter["personnummer"] for letter in by_thread] == [people["david"]]
    assert care_system.api("GET", "/api/paper-letters", params={"status": "lost"}).json()["field"] == "status"
    assert care_system.api("GET", "/api/paper-letters/nope").status_code == 404


def test_reset_empties_the_outboxes(simulator, care_system, people):
    care_system.add_message(kallelse(people["tolvan"], unique("r"), notify=True))
    care_system.api("POST", "/api/paper-letters", json=letter(people["anna"]))
    care_system.api("POST", "/api/callbacks", json={"source_system": "SE1", "url": "http://127.0.0.1:9/x"})
    requests.post(f"{simulator.url}/api/reset", timeout=30).raise_for_status()
    for path in ("/api/notifications", "/api/paper-letters", "/api/callbacks", "/api/citizen-actions"):
        assert care_system.api("GET", path).json() == [], path
