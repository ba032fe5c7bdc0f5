"""AddMessage 2.0 over real HTTP against a running simulator, one test per rule of the TKB
(Ärendeinkorgen PA6 §AddMessage: Fältregler, Regler, Meddelanden i inkorgen) and of the
guideline catalog (MC-02, MC-03, MC-04). What was stored is read from the server's own
database: the answer alone proves nothing about the inbox."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.inbox import wire
from tests.inbox.wire import INBOX, INBOX_CORE, add_message, person

FACILITY = (
    "<core:healthCareFacility><core:hsaId>SE2321000065-1234</core:hsaId>"
    "<core:healthCareFacilityName>Fysiologiska kliniken</core:healthCareFacilityName>"
    "<core:healthCareFacilityAddress>Sjukhusgatan 1</core:healthCareFacilityAddress>"
    "<core:healthCareFacilityPostalCode>55185</core:healthCareFacilityPostalCode>"
    "<core:healthCareFacilityPostalCity>Jönköping</core:healthCareFacilityPostalCity>"
    "<core:healthCareFacilityTelephone>036-321000</core:healthCareFacilityTelephone>"
    "<core:childHsaId>SE2321000065-9</core:childHsaId><core:isServiceCategory>false</core:isServiceCategory>"
    "</core:healthCareFacility>"
)
BOOKING = (
    "<core:booking><core:bookingId>B-77</core:bookingId><core:isInvitation>true</core:isInvitation>"
    "<core:isOpenInvitation>false</core:isOpenInvitation><core:rebookingAllowed>true</core:rebookingAllowed>"
    "<core:cancelBookingAllowed>false</core:cancelBookingAllowed><core:cancelled>false</core:cancelled>"
    "<core:bookingDate>2026-12-01T09:30:00</core:bookingDate></core:booking>"
)
URL_CONFIGURATION = (
    "<core:urlConfiguration><core:systemId>123XYZ</core:systemId><core:urlText>Gå till mottagningen"
    "</core:urlText><core:queryString>?hsaId=SE1</core:queryString>"
    "<core:urlLinkType>NewWindow</core:urlLinkType></core:urlConfiguration>"
)
C = f"{{{INBOX_CORE}}}"
R = f"{{{INBOX}}}"


@pytest.fixture()
def citizen(server):
    """A citizen with an active account and notifications on."""
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(person(pnr))
    return pnr


def answer(response):
    payload = wire.response_payload(response)
    wire.assert_schema_valid("AddMessage", payload)
    return payload


def stored(server, pnr):
    return wire.inbox_store(server).messages_for(pnr)


def element_paths(element, prefix=""):
    """Every leaf path below ``element``, local names only ("caseType/caseTypeDescription")."""
    paths = []
    for child in element:
        name = prefix + child.tag.split("}")[1]
        paths += element_paths(child, name + "/") if len(child) else [name]
    return paths


def full_request(pnr: str) -> str:
    """Every field of MessageCaseType, including the ones the TKB says are ignored."""
    return wire.envelope(
        f'<AddMessage xmlns="{INBOX}" xmlns:core="{INBOX_CORE}"><subjectOfCareId>{pnr}</subjectOfCareId><message>'
        "<core:id>consumer-chosen-id</core:id><core:caseReadStatus>Unread</core:caseReadStatus>"
        "<core:actionDate>2001-01-01</core:actionDate><core:actionTime>01:02:03</core:actionTime>"
        "<core:caseType><core:id>booking</core:id><core:caseTypeDescription>Kallelse</core:caseTypeDescription>"
        "</core:caseType><core:userSelectionStatus>Archived</core:userSelectionStatus>"
        f"{FACILITY}{BOOKING}<core:businessObjectId>BO-full</core:businessObjectId>"
        "<core:headerText>Kallelse till arbetsprov</core:headerText><core:bodyText>ignored body</core:bodyText>"
        "<core:msg>&lt;article&gt;&lt;para&gt;Välkommen&lt;/para&gt;&lt;/article&gt;</core:msg>"
        f"{URL_CONFIGURATION}</message><notify>true</notify><sourceSystem>SE2321000065-7331</sourceSystem>"
        "</AddMessage>"
    )


def send_full(server, pnr):
    return wire.post(server.url, "/inbox/AddMessage/2/rivtabp21", full_request(pnr), wire.ADD_MESSAGE_ACTION)


# --- Svar: the echo --------------------------------------------------------------------


def test_addmessage_response_echoes_exactly_the_returned_fields(server, citizen):
    """TKB Fältregler "Svar": caseReadStatus, actionDate, actionTime, caseTypeDescription,
    facility hsaId and name, businessObjectId, headerText and msg are returned; id,
    caseType.id, userSelectionStatus, facility address fields, booking, bodyText,
    urlConfiguration and details are not."""
    payload = answer(send_full(server, citizen))
    assert payload.findtext(f"{R}resultCode") == "OK"
    assert payload.find(f"{R}resultText") is None
    message = payload.find(f"{R}message")
    assert element_paths(message) == [
        "caseReadStatus",
        "actionDate",
        "actionTime",
        "caseType/caseTypeDescription",
        "healthCareFacility/hsaId",
        "healthCareFacility/healthCareFacilityName",
        "businessObjectId",
        "headerText",
        "msg",
    ]
    assert message.findtext(f"{C}caseType/{C}caseTypeDescription") == "Kallelse"
    assert message.findtext(f"{C}healthCareFacility/{C}hsaId") == "SE2321000065-1234"
    assert message.findtext(f"{C}businessObjectId") == "BO-full"
    assert message.findtext(f"{C}headerText") == "Kallelse till arbetsprov"
    assert message.findtext(f"{C}msg") == "<article><para>Välkommen</para></article>"


def test_addmessage_response_without_facility_or_header_leaves_them_out(server, citizen):
    message = answer(add_message(server.url, citizen)).find(f"{R}message")
    assert element_paths(message) == [
        "caseReadStatus",
        "actionDate",
        "actionTime",
        "caseType/caseTypeDescription",
        "msg",
    ]


# --- Fältregler: producer-set fields ---------------------------------------------------


def test_addmessage_generates_message_id_and_ignores_the_consumers(server, citizen):
    """message.id: "Ignoreras. Genereras av producenten"."""
    answer(send_full(server, citizen))
    [message] = stored(server, citizen)
    assert message["message_id"] != "consumer-chosen-id"
    assert str(uuid.UUID(message["message_id"])) == message["message_id"]


@pytest.mark.parametrize(
    "utc,local_date,local_time",
    [
        ("2026-07-01T22:30:15+00:00", "2026-07-02", "00:30:15"),  # summer time, past midnight in Sweden
        ("2026-01-15T07:05:00+00:00", "2026-01-15", "08:05:00"),  # winter time
    ],
    ids=["summer", "winter"],
)
def test_addmessage_action_date_and_time_are_the_simulator_clock_in_swedish_time(
    server, citizen, utc, local_date, local_time
):
    """actionDate/actionTime: "Sätts till dagens datum / aktuell tid av producenten" — the
    simulator clock, in Swedish local time."""
    wire.set_clock(server, set=utc, freeze=True)
    try:
        message = answer(add_message(server.url, citizen)).find(f"{R}message")
    finally:
        wire.set_clock(server, reset=True)
    assert (message.findtext(f"{C}actionDate"), message.findtext(f"{C}actionTime")) == (local_date, local_time)
    [row] = stored(server, citizen)
    assert (row["action_date"], row["action_time"]) == (local_date, local_time)
    assert row["received_at"].isoformat() == utc


def test_addmessage_ignores_consumer_dates_case_type_id_and_selection_status(server, citizen):
    """actionDate, actionTime, caseType.id and userSelectionStatus are set by the producer:
    the date from the clock, "general message", Active."""
    wire.set_clock(server, set="2026-05-04T10:00:00+02:00", freeze=True)
    try:
        answer(send_full(server, citizen))
    finally:
        wire.set_clock(server, reset=True)
    [row] = stored(server, citizen)
    assert (row["action_date"], row["action_time"]) == ("2026-05-04", "10:00:00")
    assert row["case_type_id"] == "general message"
    assert row["user_selection_status"] == "Active"


def test_addmessage_case_type_description_defaults_to_meddelande(server, citizen):
    message = answer(add_message(server.url, citizen)).find(f"{R}message")
    assert message.findtext(f"{C}caseType/{C}caseTypeDescription") == "Meddelande"
    assert stored(server, citizen)[0]["case_type_description"] == "Meddelande"


def test_addmessage_case_type_description_given_is_kept(server, citizen):
    message = answer(add_message(server.url, citizen, case_type_description="Kallelse")).find(f"{R}message")
    assert message.findtext(f"{C}caseType/{C}caseTypeDescription") == "Kallelse"


def test_addmessage_case_read_status_defaults_to_unread(server, citizen):
    message = answer(add_message(server.url, citizen)).find(f"{R}message")
    assert message.findtext(f"{C}caseReadStatus") == "Unread"
    assert stored(server, citizen)[0]["case_read_status"] == "Unread"


def test_addmessage_consumer_may_send_read(server, citizen):
    message = answer(add_message(server.url, citizen, read_status="Read")).find(f"{R}message")
    assert message.findtext(f"{C}caseReadStatus") == "Read"
    [row] = stored(server, citizen)
    assert row["case_read_status"] == "Read" and row["read_at"] is None


def test_addmessage_stores_facility_booking_and_url_configuration(server, citizen):
    answer(send_full(server, citizen))
    [row] = stored(server, citizen)
    assert (
        row["facility_hsa_id"],
        row["facility_name"],
        row["facility_address"],
        row["facility_postal_code"],
        row["facility_postal_city"],
        row["facility_telephone"],
    ) == ("SE2321000065-1234", "Fysiologiska kliniken", "Sjukhusgatan 1", "55185", "Jönköping", "036-321000")
    assert (
        row["booking_id"],
        row["booking_is_invitation"],
        row["booking_is_open_invitation"],
        row["booking_rebooking_allowed"],
        row["booking_cancel_allowed"],
        row["booking_cancelled"],
        row["booking_date"],
    ) == ("B-77", True, False, True, False, False, "2026-12-01T09:30:00")
    assert '"systemId": "123XYZ"' in row["url_configuration"]
    assert (row["notify"], row["source_system"]) == (True, "SE2321000065-7331")
    assert (row["consumer"], row["logical_address"]) == (wire.CONSUMER, wire.LOGICAL_ADDRESS)
    assert "consumer-chosen-id" in row["message_xml"]  # the message as received is kept


# --- Logical errors: ERROR and nothing stored --------------------------------------------


def test_addmessage_without_msg_is_error_and_stores_nothing_MC_02(server, citizen):
    """msg is 1..1 in AddMessage although the schema has 0..1: a logical field rule."""
    payload = answer(add_message(server.url, citizen, msg=None))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert "message.msg saknas" in payload.findtext(f"{R}resultText")
    assert payload.find(f"{R}message") is None
    assert stored(server, citizen) == []


def test_addmessage_with_blank_msg_is_error_MC_02(server, citizen):
    payload = answer(add_message(server.url, citizen, msg="   "))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert stored(server, citizen) == []


def test_addmessage_notify_without_source_system_is_error_MC_03(server, citizen):
    payload = answer(add_message(server.url, citizen, notify=True))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert "sourceSystem saknas" in payload.findtext(f"{R}resultText")
    assert "notify = true" in payload.findtext(f"{R}resultText")
    assert stored(server, citizen) == []


def test_addmessage_notify_with_empty_source_system_is_error_MC_03(server, citizen):
    payload = answer(add_message(server.url, citizen, notify=True, source_system=""))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert stored(server, citizen) == []


def test_addmessage_notify_with_source_system_is_stored_MC_03(server, citizen):
    payload = answer(add_message(server.url, citizen, notify=True, source_system="SE2321000065-7331"))
    assert payload.findtext(f"{R}resultCode") == "OK"
    assert stored(server, citizen)[0]["source_system"] == "SE2321000065-7331"


def test_addmessage_without_notify_needs_no_source_system_MC_03(server, citizen):
    assert answer(add_message(server.url, citizen)).findtext(f"{R}resultCode") == "OK"


def test_addmessage_wrong_check_digit_is_error_MC_04(server):
    pnr = wire.new_pnr()
    wrong = pnr[:11] + str((int(pnr[11]) + 1) % 10)
    payload = answer(add_message(server.url, wrong))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert "kontrollsiffra" in payload.findtext(f"{R}resultText")
    assert stored(server, wrong) == []


def test_addmessage_reports_every_broken_rule_at_once(server):
    pnr = wire.new_pnr()
    wrong = pnr[:11] + str((int(pnr[11]) + 1) % 10)
    text = answer(add_message(server.url, wrong, msg=None, notify=True)).findtext(f"{R}resultText")
    assert "kontrollsiffra" in text and "message.msg" in text and "sourceSystem" in text


def test_addmessage_reservnummer_with_letter_is_accepted_MC_04(server):
    """The pattern allows p/t/f in position 9; such reservnummer carry no check digit."""
    pnr = "19850315T123"
    payload = answer(add_message(server.url, pnr))
    assert payload.findtext(f"{R}resultCode") == "INFO"  # not in the population: no account
    assert len(stored(server, pnr)) == 1


@pytest.mark.parametrize("length", [256, 5000])
def test_addmessage_business_object_id_has_no_length_limit_TKB_7_4(server, citizen, length):
    """TKB Ärendeinkorgen 3.1 and 7.4 Fältregler: businessObjectId is Text 0..1 and the
    XSD an unrestricted string, so any length is accepted, stored and threads."""
    business_object_id = "x" * (length - 1) + "y"
    for _ in range(2):
        payload = answer(add_message(server.url, citizen, business_object_id=business_object_id))
        assert payload.findtext(f"{R}resultCode") == "OK", payload.findtext(f"{R}resultText")
    assert payload.findtext(f"{R}message/{C}businessObjectId") == business_object_id
    [thread] = wire.inbox_store(server).threads(citizen)
    assert thread["business_object_id"] == business_object_id
    assert len(thread["messages"]) == 2
    assert len(wire.inbox_store(server).messages_by_business_object(business_object_id, citizen)) == 2


# --- Regler: accounts ------------------------------------------------------------------


@pytest.mark.parametrize("account,expected", [("none", "saknar konto"), ("inactive", "låst eller inaktivt")])
def test_addmessage_citizen_without_active_account_is_info_and_stored(server, account, expected):
    """TKB Regler: no account or a locked account -> INFO with a text; INFO means the
    transaction was performed, so the message is in the inbox (docs/inbox.md)."""
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(person(pnr, account=account))
    payload = answer(add_message(server.url, pnr, notify=True, source_system="SE2321000065-7331"))
    assert payload.findtext(f"{R}resultCode") == "INFO"
    assert expected in payload.findtext(f"{R}resultText")
    assert payload.find(f"{R}message/{C}msg") is not None
    [row] = stored(server, pnr)
    assert row["result_code"] == "INFO"


def test_addmessage_unknown_personnummer_has_no_account_and_is_info(server):
    pnr = wire.new_pnr()
    payload = answer(add_message(server.url, pnr))
    assert payload.findtext(f"{R}resultCode") == "INFO"
    assert "saknar konto" in payload.findtext(f"{R}resultText")
    assert len(stored(server, pnr)) == 1


def test_addmessage_active_account_is_ok(server, citizen):
    payload = answer(add_message(server.url, citizen))
    assert payload.findtext(f"{R}resultCode") == "OK"
    assert stored(server, citizen)[0]["result_code"] == "OK"


# --- Threads -------------------------------------------------------------------------


def test_addmessage_same_business_object_id_is_one_thread(server, citizen):
    """TKB "trådas ... genom att fältet businessObjectId sätts till samma värde"."""
    for header in ("Kallelse", "Påminnelse", "Avbokning"):
        answer(add_message(server.url, citizen, business_object_id="BOOKING-1", header_text=header))
    answer(add_message(server.url, citizen, business_object_id="BOOKING-2"))
    answer(add_message(server.url, citizen))
    threads = wire.inbox_store(server).threads(citizen)
    sizes = sorted(len(t["messages"]) for t in threads)
    assert sizes == [1, 1, 3]
    [booking_1] = [t for t in threads if t["business_object_id"] == "BOOKING-1"]
    assert [m["header_text"] for m in booking_1["messages"]] == ["Kallelse", "Påminnelse", "Avbokning"]


def test_addmessage_threads_are_per_citizen(server, citizen):
    other = wire.new_pnr()
    wire.citizen_store(server).save(person(other))
    answer(add_message(server.url, citizen, business_object_id="SHARED"))
    answer(add_message(server.url, other, business_object_id="SHARED"))
    assert len(wire.inbox_store(server).threads(citizen)[0]["messages"]) == 1


# --- msg: entity encoding and the DocBook subset ----------------------------------------


def test_addmessage_msg_is_entity_decoded_once(server, citizen):
    """The TKB: msg is sent "XML entity encoded"; stored is the DocBook text it encodes."""
    msg = '<article><para>Tid &amp; plats: "Hus 5" &lt;3</para></article>'
    payload = answer(add_message(server.url, citizen, msg=msg))
    assert payload.findtext(f"{R}message/{C}msg") == msg
    [row] = stored(server, citizen)
    assert row["msg"] == msg and row["docbook_ok"] is True and row["docbook_violations"] is None


def test_addmessage_msg_in_cdata_is_the_same_text(server, citizen):
    body = wire.add_message_body(
        citizen, msg=None, after_msg="<core:msg><![CDATA[<article><para>x</para></article>]]></core:msg>"
    )
    answer(wire.post(server.url, "/inbox/AddMessage/2/rivtabp21", wire.envelope(body), wire.ADD_MESSAGE_ACTION))
    assert stored(server, citizen)[0]["msg"] == "<article><para>x</para></article>"


def test_addmessage_msg_not_entity_encoded_is_a_client_fault(server, citizen):
    """DocBook sent as child elements of msg instead of encoded text breaks the schema."""
    body = wire.add_message_body(citizen, msg=None, after_msg="<core:msg><article><para>x</para></article></core:msg>")
    response = wire.post(server.url, "/inbox/AddMessage/2/rivtabp21", wire.envelope(body), wire.ADD_MESSAGE_ACTION)
    code, text = wire.fault(response)
    assert code == "soap:Client"
    assert "/msg" in text and "Element content is not allowed" in text
    assert stored(server, citizen) == []


VIOLATIONS = [
    ("title-in-article", "<article><title>T</title></article>", "title", "article"),
    ("section-in-section", "<article><section><section/></section></article>", "section", "section"),
    ("para-in-para", "<article><para><para>x</para></para></article>", "para", "para"),
    ("info-in-para", "<article><para><info/></para></article>", "info", "para"),
    (
        "bibliography-in-variablelist",
        "<article><variablelist><bibliography>b</bibliography></variablelist></article>",
        "bibliography",
        "variablelist",
    ),
    ("variablelist-in-para", "<article><para><variablelist/></para></article>", "variablelist", "para"),
    (
        "ulink-in-section",
        '<article><section><ulink url="https://1177.se">x</ulink></section></article>',
        "ulink",
        "section",
    ),
    ("varlistentry-in-article", "<article><varlistentry/></article>", "varlistentry", "article"),
    ("term-in-variablelist", "<article><variablelist><term>t</term></variablelist></article>", "term", "variablelist"),
    ("listitem-in-section", "<article><section><listitem>x</listitem></section></article>", "listitem", "section"),
    ("article-in-section", "<article><section><article/></section></article>", "article", "section"),
    ("root-not-article", "<section><para>x</para></section>", "section", None),
    ("unknown-element", "<article><para><b>fet</b></para></article>", "b", "para"),
    ("ulink-javascript", '<article><para><ulink url="javascript:alert(1)">x</ulink></para></article>', "ulink", "para"),
]


@pytest.mark.parametrize("msg,element,parent", [v[1:] for v in VIOLATIONS], ids=[v[0] for v in VIOLATIONS])
def test_addmessage_docbook_violation_is_accepted_and_stored_flagged_MC_02(server, citizen, msg, element, parent):
    """The real inbox shows "##### Mismatched Element in Source #####": the message is
    accepted (OK), stored, and flagged with what broke which rule."""
    payload = answer(add_message(server.url, citizen, msg=msg))
    assert payload.findtext(f"{R}resultCode") == "OK"
    [row] = stored(server, citizen)
    assert row["docbook_ok"] is False and row["msg"] == msg
    violations = json.loads(row["docbook_violations"])
    assert {"element": element, "parent": parent}.items() <= violations[0].items()
    assert violations[0]["reason"]


def test_addmessage_long_valid_docbook_is_not_flagged_TKB_7_5(server, citizen):
    """TKB Ärendeinkorgen 7.5 Regler: the "Mismatched Element in Source" marker belongs to
    a break of the element table, and the contract sets no length on msg; a valid
    message of over a million characters is stored unflagged (the request-size limit of
    the SOAP layer is what protects the simulator)."""
    para = "<para>" + "Välkommen till provtagning. " * 20 + "</para>"
    msg = "<article><info><title>Kallelse</title></info>" + para * (1_100_000 // len(para)) + "</article>"
    assert len(msg) > 1_000_000
    payload = answer(add_message(server.url, citizen, msg=msg))
    assert payload.findtext(f"{R}resultCode") == "OK"
    [row] = stored(server, citizen)
    assert row["docbook_ok"] is True and row["docbook_violations"] is None and row["msg"] == msg


def test_addmessage_over_the_request_size_limit_is_a_client_fault(server, citizen):
    """What protects resources instead of per-field limits: the body limit (docs/inbox.md)."""
    response = add_message(server.url, citizen, msg="<article><para>" + "x" * (11 * 1024 * 1024) + "</para></article>")
    assert response.status_code == 500 and "soap:Client" in response.text and "exceeds the limit" in response.text
    assert stored(server, citizen) == []


@pytest.mark.parametrize(
    "msg", ["Hej! Välkommen på måndag.", "<article><para>x</article>"], ids=["plain-text", "unclosed"]
)
def test_addmessage_not_well_formed_msg_is_stored_flagged_MC_02(server, citizen, msg):
    assert answer(add_message(server.url, citizen, msg=msg)).findtext(f"{R}resultCode") == "OK"
    [row] = stored(server, citizen)
    assert row["docbook_ok"] is False
    assert "not well-formed" in row["docbook_violations"]


def test_addmessage_msg_with_entity_declarations_is_not_expanded_MC_02(server, citizen):
    msg = '<!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]><article><para>&x;</para></article>'
    assert answer(add_message(server.url, citizen, msg=msg)).findtext(f"{R}resultCode") == "OK"
    [row] = stored(server, citizen)
    assert row["docbook_ok"] is False and "root:" not in row["docbook_violations"]
    assert row["msg"] == msg
