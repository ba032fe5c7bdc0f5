"""The citizen side's domain rules without a server: urlConfiguration links, which
booking buttons show (MC-06, MC-10), notification texts (MC-12) and paper letters
(CH-10, delivery on the simulator clock)."""

import base64
import datetime as dt
import json

import pytest

from simulator.citizen import booking, links, notifications, paper
from simulator.population.domain import Account, Citizen, FieldError

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
TABLE = {"123XYZ": "https://mywebserver.example/myeservice.xhtml", "Q": "https://q.example/p?lang=sv"}


# --- urlConfiguration --------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?hsaId=SE2321000016-1HZ6", "https://mywebserver.example/myeservice.xhtml?hsaId=SE2321000016-1HZ6"),
        ("hsaId=A", "https://mywebserver.example/myeservice.xhtml?hsaId=A"),
        (None, "https://mywebserver.example/myeservice.xhtml"),
    ],
)
def test_system_id_is_looked_up_and_query_string_appended(query, expected):
    link = links.resolve(
        {"systemId": "123XYZ", "urlText": "Gå till mottagningen", "queryString": query, "urlLinkType": "NewWindow"},
        TABLE,
    )
    assert (link.href, link.text, link.new_window, link.note) == (expected, "Gå till mottagningen", True, None)


def test_query_string_joins_an_url_that_has_one_already():
    link = links.resolve(
        {"systemId": "Q", "urlText": "x", "queryString": "?id=1", "urlLinkType": "CurrentWindow"}, TABLE
    )
    assert link.href == "https://q.example/p?lang=sv&id=1" and not link.new_window


def test_unknown_system_gives_no_link_and_says_why():
    link = links.resolve({"systemId": "NOPE", "urlText": "x", "urlLinkType": "NewWindow"}, TABLE)
    assert link.href is None and "NOPE" in link.note


def test_unsupported_link_types_open_in_the_current_window_with_a_note():
    link = links.resolve({"systemId": "123XYZ", "urlText": "x", "urlLinkType": "Embedded"}, TABLE)
    assert link.href and not link.new_window and "Embedded" in link.note


def test_a_query_string_cannot_smuggle_whitespace_into_the_link():
    assert (
        links.resolve(
            {"systemId": "123XYZ", "urlText": "x", "queryString": "a=1 onclick=x", "urlLinkType": "NewWindow"}, TABLE
        ).href
        is None
    )


def test_table_file_drops_non_http_urls_and_comments(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"_comment": "x", "A": "https://a.example", "B": "javascript:alert(1)"}))
    assert links.load_table(path) == {"A": "https://a.example"}
    assert "123XYZ" in links.load_table()  # the shipped table has the TKB's example


# --- booking buttons ---------------------------------------------------------------


def message(mid, booking_id="B1", when="2027-03-20T09:30:00", rebook=True, cancel=True, cancelled=None):
    return {
        "message_id": mid,
        "booking_id": booking_id,
        "booking_date": when,
        "booking_rebooking_allowed": rebook,
        "booking_cancel_allowed": cancel,
        "booking_cancelled": cancelled,
    }


def test_buttons_follow_the_flags_of_the_latest_message():
    state = booking.booking_state([message("m1", rebook=True, cancel=False)], [], NOW)
    assert state.allows("rebook") and not state.allows("cancel") and state.status_text is None
    state = booking.booking_state([message("m1"), message("m2", rebook=False, cancel=True)], [], NOW)
    assert state.message_id == "m2" and state.allows("cancel") and not state.allows("rebook")


def test_no_buttons_for_a_cancelled_booking_mc10():
    state = booking.booking_state([message("m1"), message("m2", cancelled=True)], [], NOW)
    assert not state.has_buttons and state.status_text == "Bokningen är avbokad."


def test_no_buttons_when_the_time_has_passed_on_the_clock():
    msgs = [message("m1", when="2027-03-01T09:59:00")]  # Swedish time, = 08:59 UTC
    assert not booking.booking_state(msgs, [], NOW).has_buttons
    assert booking.booking_state(msgs, [], NOW - dt.timedelta(minutes=2)).has_buttons


def test_no_buttons_after_the_citizen_asked_to_cancel():
    state = booking.booking_state([message("m1")], [{"action": "cancel", "booking_id": "B1"}], NOW)
    assert not state.has_buttons and "begärt avbokning" in state.status_text
    assert booking.booking_state([message("m1")], [{"action": "rebook", "booking_id": "B1"}], NOW).has_buttons


def test_threads_without_booking_have_no_state_and_unknown_actions_are_refused():
    assert booking.booking_state([{"message_id": "m", "booking_id": None}], [], NOW) is None
    assert not booking.booking_state([message("m1")], [], NOW).allows("delete")


# --- notifications (MC-12) ---------------------------------------------------------


def person(**account):
    return Citizen(
        "191212121212",
        "Tolvan",
        "Tolvansson",
        account=Account(exists=True, active=True, mobile="+46701740605", email="t@example.com", **account),
    )


STORED = {
    "message_id": "m1",
    "notify": True,
    "source_system": "SE1",
    "facility_name": "Vårdcentralen Hemlig",
    "case_type_description": "Kallelse till psykiatrin",
    "header_text": "Din tid på abortmottagningen",
    "msg": "<article><para>Provtagning HIV</para></article>",
    "booking_date": "2027-03-20T09:30:00",
}


def test_sms_and_email_as_the_citizen_chose_with_the_clock_time():
    rows = notifications.notifications_for(person(sms_notification=True, email_notification=True), STORED, NOW)
    assert [(r["channel"], r["recipient"], r["created_at"]) for r in rows] == [
        ("sms", "+46701740605", NOW),
        ("email", "t@example.com", NOW),
    ]
    only_sms = notifications.notifications_for(person(sms_notification=True), STORED, NOW)
    assert [r["channel"] for r in only_sms] == ["sms"]


@pytest.mark.parametrize(
    "citizen, stored",
    [
        (None, STORED),
        (person(sms_notification=True), {**STORED, "notify": False}),
        (person(), STORED),
        (Citizen("191212121212", "T", "T", account=Account(exists=True, active=False, sms_notification=True)), STORED),
        (Citizen("191212121212", "T", "T", account=Account(exists=False, sms_notification=True)), STORED),
    ],
)
def test_nothing_is_sent_without_notify_account_and_channel(citizen, stored):
    assert notifications.notifications_for(citizen, stored, NOW) == []


def test_texts_say_only_that_a_message_is_waiting_mc12():
    rows = notifications.notifications_for(person(sms_notification=True, email_notification=True), STORED, NOW)
    for row in rows:
        text = f"{row['subject'] or ''} {row['text']}".lower()
        assert "1177" in text and "nytt meddelande" in text
        for secret in ("hemlig", "psykiatri", "abort", "hiv", "2027", "09:30", "tolvan"):
            assert secret not in text


# --- paper letters -----------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
SUBMISSION = {
    "personnummer": "191212121212",
    "sender_facility": {"name": "VC Testvik", "hsa_id": "SE1"},
    "reason_rule_ids": ["CH-06"],
    "text": "Kallelse",
}


def letter(data=None, citizen=None):
    """Through the API's door (the letter first, then the model), as POST /api/paper-letters."""
    from simulator.citizen.api import letter_submission

    data = dict(SUBMISSION if data is None else data)
    document = paper.json_document(data)
    return paper.new_letter(letter_submission(data), document, citizen, NOW, "SE-CONSUMER")


def test_a_letter_is_received_at_the_clock_time_and_delivered_days_later():
    row = letter()
    assert row["received_at"] == NOW and row["postal_delivery_days"] == paper.DEFAULT_POSTAL_DAYS == 2
    assert paper.status(row, NOW + dt.timedelta(days=2) - dt.timedelta(seconds=1)) == "in_transit"
    assert paper.status(row, NOW + dt.timedelta(days=2)) == "delivered"
    assert paper.status({**row, "postal_delivery_days": 0}, NOW) == "delivered"


def test_pdf_letters_are_decoded_and_checked():
    data = {**SUBMISSION, "pdf_base64": base64.b64encode(PDF).decode()}
    del data["text"]
    row = letter(data)
    assert (row["content_type"], row["document"]) == ("application/pdf", PDF)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"personnummer": "191212121213"}, "personnummer"),
        ({"personnummer": None}, "personnummer"),
        ({"sender_facility": None}, "sender_facility"),
        ({"sender_facility": {"name": "x", "color": "red"}}, "sender_facility.color"),
        ({"sender_facility": {}}, "sender_facility"),
        ({"sender_facility": {"name": "  "}}, "sender_facility.name"),
        ({"business_object_id": ""}, "business_object_id"),
        ({"reason_rule_ids": ["channel rule"]}, "reason_rule_ids[0]"),
        ({"protected_address_route": "yes"}, "protected_address_route"),
        ({"postal_delivery_days": -1}, "postal_delivery_days"),
        ({"postal_delivery_days": True}, "postal_delivery_days"),
        ({"address": {"street": "x", "country": "SE"}}, "address.country"),
        ({"pdf_base64": "JVBERi0="}, "pdf_base64"),  # both forms at once
        ({"text": ""}, "text"),
        ({"colour": 1}, "colour"),
    ],
)
def test_bad_submissions_name_the_field(change, field):
    with pytest.raises(FieldError) as caught:
        letter({**SUBMISSION, **change})
    assert caught.value.field == field


@pytest.mark.parametrize("encoded", ["not base64!", base64.b64encode(b"<html>").decode()])
def test_pdf_must_be_base64_of_a_pdf(encoded):
    with pytest.raises(FieldError, match="pdf_base64"):
        paper.json_document({"pdf_base64": encoded})


def test_protected_person_letter_refuses_an_address_ch10():
    protected = Citizen("197707079841", "Lova", "Lind", protected=True)
    with pytest.raises(FieldError) as caught:
        letter({**SUBMISSION, "protected_address_route": True, "address": {"street": "Hemlig väg 1"}}, protected)
    assert caught.value.field == "address" and "CH-10" in caught.value.message
    with pytest.raises(FieldError):  # the route flag alone makes a letter protected
        letter({**SUBMISSION, "protected_address_route": True, "address": {"street": "x"}})


def test_protected_person_without_the_route_flag_is_accepted_with_a_warning():
    protected = Citizen("197707079841", "Lova", "Lind", protected_population_record=True)
    row = letter(SUBMISSION, protected)
    assert row["protected_citizen"] and row["address"] is None and "CH-10" in row["warnings"][0]
