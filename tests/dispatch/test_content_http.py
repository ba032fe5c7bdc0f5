"""Message content (MC-01..MC-12), threads for updates and cancellations, and the
bookings API's input handling — as stored by the real inbox and paper outbox."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib

from lxml import etree

from tests.support import wait_for

ADULT = dt.date(1984, 2, 11)


def sent(dispatch, **fields):
    pnr = dispatch.citizen(ADULT, optout=fields.pop("optout", False))
    booking = dispatch.booking(pnr, **fields)
    dispatch.settle(booking["booking_id"])
    return booking, dispatch.messages(booking), dispatch.letters(booking)


def pdf_text(dispatch, letter: dict) -> str:
    """The text drawn in the letter's PDF (content streams inflated)."""
    raw = dispatch.http.get(f"{dispatch.url}/api/paper-letters/{letter['letter_id']}/document").content
    assert raw.startswith(b"%PDF-")
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", raw, re.S):
        try:  # /FlateDecode (the end-of-line before "endstream" is left over, not an error)
            chunks.append(zlib.decompressobj().decompress(stream).decode("latin-1"))
            continue
        except zlib.error:
            pass
        try:  # reportlab writes /Filter [/ASCII85Decode /FlateDecode]
            data = base64.a85decode(stream.strip().removesuffix(b"~>"))
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "".join(re.findall(r"\((.*?)\)\s*Tj", "".join(chunks)))


def docbook(message: dict) -> etree._Element:
    return etree.fromstring(message["msg"].split("?>", 1)[1].encode("utf-8"))


def test_mc02_mc03_mc06_mc08_mc11_the_kallelse_message(dispatch):
    booking, messages, _ = sent(dispatch)
    message = messages[0]
    assert message["docbook_ok"] is True and message["docbook_violations"] == []  # MC-02
    assert message["notify"] is True and message["source_system"] == "SE2321000065-7331"  # MC-03
    assert message["booking"]["is_invitation"] is True and message["booking"]["booking_date"]  # MC-06
    assert message["booking"]["rebooking_allowed"] is True and message["booking"]["cancel_booking_allowed"] is True
    links = {u.get("url") for u in docbook(message).iter("ulink")}
    assert "https://rjl.se/hitta/klinisk-fysiologi" in links  # MC-08
    assert "https://formular.rjl.se/halsodeklaration" in links  # MC-11


def test_mc05_digital_holds_everything_the_paper_letter_says(dispatch):
    booking, messages, letters = sent(dispatch)
    text = " ".join(docbook(messages[0]).itertext())
    paper = pdf_text(dispatch, letters[0])
    for fact in ("Arbetsprov", "Klinisk fysiologi Ryhov", "Sjukhusgatan 1", "010-242 00 00", "Hitta hit"):
        assert fact in text, fact
        assert fact in paper, fact
    assert "kl." in text and "kl." in paper
    assert "https://rjl.se/hitta/klinisk-fysiologi" in paper


def test_mc07_open_invitation_has_no_booking_date(dispatch):
    booking, messages, _ = sent(dispatch, type="open_invitation", visit_in=None)
    assert messages[0]["booking"]["is_open_invitation"] is True
    assert messages[0]["booking"]["booking_date"] is None


def test_booking_confirmation_is_not_an_invitation(dispatch):
    booking, messages, _ = sent(dispatch, type="confirmation")
    assert messages[0]["booking"]["is_invitation"] is False
    assert messages[0]["case_type_description"] == "Bokningsbekräftelse"


def test_mc09_mc10_update_and_cancellation_stay_in_the_thread(dispatch):
    booking, _, _ = sent(dispatch, optout=True)
    later = (dt.datetime.fromisoformat(booking["booking"]["visit_start"]) + dt.timedelta(days=2)).isoformat()
    answer = dispatch.http.put(
        f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}", json={"visit_start": later}
    )
    assert answer.status_code == 200 and answer.json()["revision"] == 2
    dispatch.settle(booking["booking_id"])
    assert dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}/cancel").ok
    dispatch.settle(booking["booking_id"])
    messages = dispatch.messages(booking)
    assert len(messages) == 3
    assert {m["business_object_id"] for m in messages} == {booking["business_object_id"]}  # MC-09
    assert messages[1]["header_text"].startswith("Ändrad tid")
    assert messages[2]["booking"]["cancelled"] is True  # MC-10
    assert messages[2]["booking"]["cancel_booking_allowed"] is False


def test_cancellation_of_a_paper_kallelse_goes_on_paper(dispatch):
    booking, _, letters = sent(dispatch, physical_enclosures=["provrör"])
    assert len(letters) == 1
    dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings/{booking['booking_id']}/cancel")
    dispatch.settle(booking["booking_id"])
    letters = dispatch.letters(booking)
    assert len(letters) == 2 and ["MC-10"] in [letter["reason_rule_ids"] for letter in letters]
    assert dispatch.messages(booking) == []


def test_post_is_idempotent_by_booking_id_and_conflicting_content_is_409(dispatch):
    pnr = dispatch.citizen(ADULT)
    booking = dispatch.booking(pnr)
    body = dict(booking["booking"])
    again = dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings", json=body)
    assert again.status_code == 200
    dispatch.settle(booking["booking_id"])
    assert len(dispatch.messages(booking)) == 1
    changed = dict(body, visit_type="Något annat")
    conflict = dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings", json=changed)
    assert conflict.status_code == 409 and conflict.json()["field"] == "booking_id"


def test_bad_input_is_400_naming_the_field_and_nothing_is_stored(dispatch):
    pnr = dispatch.citizen(ADULT)
    base = {
        "booking_id": "BAD-1",
        "personnummer": pnr,
        "visit_start": "2099-01-01T10:00",
        "facility": {"hsa_id": "SE2321000065-E12", "name": "Mottagning"},
    }
    cases = [
        ({**base, "personnummer": "191212121213"}, "personnummer"),
        ({**base, "visit_start": "i morgon"}, "visit_start"),
        ({**base, "facility": {"name": "x"}}, "facility.hsa_id"),
        ({**base, "profile": "skane"}, "profile"),
        ({**base, "interpreter": "ja"}, "interpreter"),
        ({**base, "form_url": "javascript:alert(1)"}, "form_url"),
        ({**base, "type": "open_invitation"}, "visit_start"),
        ({**base, "surprise": 1}, "surprise"),
        ({**base, "booking_id": "../etc"}, "booking_id"),
        ({**base, "visit_start": "2000-01-01T10:00"}, "visit_start"),
    ]
    for body, field in cases:
        answer = dispatch.http.post(f"{dispatch.url}/dispatch/api/bookings", json=body)
        assert answer.status_code == 400, (field, answer.text)
        assert answer.json()["field"] == field
    assert dispatch.http.get(f"{dispatch.url}/dispatch/api/bookings/BAD-1").status_code == 404
    assert (
        dispatch.http.post(
            f"{dispatch.url}/dispatch/api/bookings", data="nope", headers={"Content-Type": "application/json"}
        ).json()["field"]
        == "body"
    )


def test_openapi_document_lists_the_api(dispatch):
    doc = dispatch.http.get(f"{dispatch.url}/dispatch/api/openapi.json").json()
    assert doc["openapi"].startswith("3.") and "/dispatch/api/bookings" in doc["paths"]
    assert "/dispatch/api/bookings/{booking_id}/decision" in doc["paths"]


def test_protected_person_letter_pdf_has_no_address(dispatch):
    pnr = dispatch.citizen(ADULT, optout=False, protected=True)
    booking = dispatch.booking(pnr)
    dispatch.settle(booking["booking_id"])
    letter = dispatch.letters(booking)[0]
    text = pdf_text(dispatch, letter)
    assert "Storgatan" not in text and "SKYDDAD ADRESS" in text


def test_citizen_cancels_with_the_inbox_button_and_the_booking_is_cancelled(dispatch):
    """MC-06 buttons end to end: the inbox calls the care system back; the cancellation
    comes back into the same thread (MC-10)."""
    booking, messages, _ = sent(dispatch, optout=True)
    pnr = booking["booking"]["personnummer"]
    browser = dispatch.citizen_session(pnr)
    page = browser.get(f"{dispatch.url}/inkorg/arende/{messages[0]['message_id']}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(
        f"{dispatch.url}/inkorg/arende/{messages[0]['message_id']}/bokning/cancel", data={"csrf_token": token}
    )
    assert answer.ok
    wait_for(lambda: dispatch.get(booking["booking_id"])["cancelled"], 20, "the callback to cancel the booking")
    dispatch.settle(booking["booking_id"])
    thread = dispatch.messages(booking)
    assert len(thread) == 2 and thread[1]["booking"]["cancelled"] is True


def test_mc01_mc04_every_request_is_valid_and_carries_the_logical_address(dispatch):
    """The platform's traffic record: every SOAP call the engine made for a booking was a
    valid request of its contract with a LogicalAddress and the consumer HSA-id."""
    booking, _, _ = sent(dispatch)
    answer = dispatch.http.get(
        f"{dispatch.url}/api/traffic", params={"personnummer": booking["booking"]["personnummer"], "limit": 100}
    ).json()
    records = answer["items"] if isinstance(answer, dict) else answer
    contracts = {r["contract"] for r in records}
    assert {"GetPersonsForProfile", "GetUserProfile", "AddMessage"} <= contracts
    for record in records:
        assert record["logical_address"] and record["verdict"] == "valid", record
        assert record["rule_ids"] in ([], None), record
        assert (record.get("original_consumer") or record.get("consumer")) == "SE2321000065-DISP1"


def test_the_booking_list_filters_by_outcome(dispatch):
    """GET /dispatch/api/bookings?outcome=...: only the bookings decided so (the screening
    campaign's read sample asks for the digital-only ones in one call)."""
    digital, _, _ = sent(dispatch, optout=True)
    both, _, _ = sent(dispatch)
    url = f"{dispatch.url}/dispatch/api/bookings"
    only = dispatch.http.get(url, params={"outcome": "digital_only", "limit": 1000}).json()
    ids = {b["booking_id"] for b in only}
    assert digital["booking_id"] in ids and both["booking_id"] not in ids
    assert {b["outcome"] for b in only} == {"digital_only"}
    answer = dispatch.http.get(url, params={"outcome": "pigeon"})
    assert answer.status_code == 400 and answer.json()["field"] == "outcome"
