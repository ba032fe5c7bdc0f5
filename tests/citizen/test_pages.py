"""The citizen's inbox pages, in-process, with messages put in through the inbox's own
domain function and store (the browser tests drive the same pages over real AddMessage)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from simulator.citizen.docbook_html import MISMATCH
from simulator.citizen.store import CitizenSideStore
from simulator.inbox import domain
from simulator.inbox.store import InboxStore, row_values
from simulator.population.seed import seed_population

TOLVAN = "191212121212"
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)  # 10:00 Swedish time


@pytest.fixture()
def site(web):
    runtime = web.config["RUNTIME"]
    runtime.citizens.save_many(seed_population(T0.date()))
    runtime.clock_store.command({"set": T0.isoformat(), "freeze": True})
    return web


def put(
    web,
    personnummer=TOLVAN,
    bo="bo-1",
    msg="<article><para>Välkommen</para></article>",
    booking=None,
    at=None,
    case_type="Kallelse",
    facility="Vårdcentralen Testvik",
    header="Kallelse till provtagning",
):
    """Store a message as AddMessage would, at simulator time ``at``; returns its id."""
    runtime = web.config["RUNTIME"]
    request = domain.AddMessageRequest(
        subject_of_care_id=personnummer,
        notify=False,
        message_xml="<message/>",
        msg=msg,
        business_object_id=bo,
        case_type_description=case_type,
        header_text=header,
        facility=domain.Facility(name=facility),
        booking=domain.Booking(**booking) if booking else None,
    )
    outcome = domain.add_message(
        request, runtime.citizens.get(personnummer), at or runtime.clock.now(), str(uuid.uuid4())
    )
    return InboxStore(runtime.db).insert(row_values(outcome.message))["message_id"]


def token(client, path="/inkorg/logga-in") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def logged_in(site, personnummer=TOLVAN):
    client = site.test_client()
    answer = client.post("/inkorg/logga-in", data={"csrf_token": token(client), "personnummer": personnummer})
    assert answer.status_code == 302
    return client


def test_inbox_needs_a_simulated_log_in(site):
    answer = site.test_client().get("/inkorg")
    assert answer.status_code == 302 and "/inkorg/logga-in" in answer.headers["Location"]


def test_log_in_page_offers_the_demo_persons_and_says_it_is_simulated(site):
    page = site.test_client().get("/inkorg/logga-in").get_data(as_text=True)
    assert "Simulerad inloggning" in page and "Tolvan Tolvansson" in page and "19121212-1212" in page
    assert "Lova Lind" in page


@pytest.mark.parametrize("typed", ["19121212-1212", "191212121212", " 191212121212 "])
def test_a_typed_personnummer_logs_in(site, typed):
    client = site.test_client()
    client.post("/inkorg/logga-in", data={"csrf_token": token(client), "personnummer": typed})
    assert "Tolvan Tolvansson" in client.get("/inkorg").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["191212121213", "12345", "<script>"])
def test_a_bad_personnummer_is_refused_with_a_reason(site, typed):
    client = site.test_client()
    answer = client.post("/inkorg/logga-in", data={"csrf_token": token(client), "personnummer": typed})
    assert answer.status_code == 400 and "Ogiltigt personnummer" in answer.get_data(as_text=True)
    assert "<script>" not in answer.get_data(as_text=True)


def test_forms_without_the_session_token_are_refused(site):
    client = site.test_client()
    assert client.post("/inkorg/logga-in", data={"personnummer": TOLVAN}).status_code == 400
    client = logged_in(site)
    mid = put(site)
    assert client.post(f"/inkorg/arende/{mid}/arkivera", data={}).status_code == 400


def test_after_log_in_only_a_local_path_is_followed(site):
    client = site.test_client()
    for target, expected in (
        ("//evil.example/x", "/inkorg"),
        ("https://evil.example", "/inkorg"),
        ("/\\evil.example", "/inkorg"),
        ("/inkorg?visa=arkiverade", "/inkorg?visa=arkiverade"),
    ):
        answer = client.post(
            "/inkorg/logga-in", data={"csrf_token": token(client), "personnummer": TOLVAN, "next": target}
        )
        assert answer.headers["Location"] == expected


def test_inbox_lists_threads_newest_first_with_unread_badge_facility_date_and_case_type(site):
    put(site, bo="old", case_type="Bokningsbekräftelse", at=T0 - dt.timedelta(days=2))
    put(site, bo="new", case_type="Kallelse", facility="Ögonmottagningen", at=T0)
    put(site, bo="new", case_type="Påminnelse", facility="Ögonmottagningen", at=T0 + dt.timedelta(minutes=5))
    page = logged_in(site).get("/inkorg").get_data(as_text=True)
    assert page.index("Ögonmottagningen") < page.index("Bokningsbekräftelse")
    assert "2 olästa" in page and "2027-03-01 10:05" in page and "2027-02-27 10:00" in page
    assert "2 meddelanden" in page


def test_a_citizen_sees_only_their_own_messages(site):
    other = next(c.personnummer for c in site.config["RUNTIME"].citizens.all() if c.personnummer != TOLVAN)
    foreign = put(site, personnummer=other, bo="theirs", header="Någon annans kallelse")
    client = logged_in(site)
    assert "Någon annans kallelse" not in client.get("/inkorg").get_data(as_text=True)
    assert client.get(f"/inkorg/arende/{foreign}").status_code == 404
    assert InboxStore(site.config["RUNTIME"].db).message(foreign)["case_read_status"] == "Unread"


def test_opening_a_thread_shows_every_message_in_order_and_marks_them_read_at_the_clock_time(site):
    first = put(site, msg="<article><para>Första</para></article>", at=T0 - dt.timedelta(hours=1))
    put(site, msg="<article><para>Andra</para></article>")
    runtime = site.config["RUNTIME"]
    runtime.clock_store.command({"advance": "PT2H"})
    page = logged_in(site).get(f"/inkorg/arende/{first}").get_data(as_text=True)
    assert page.index("Första") < page.index("Andra")
    messages = InboxStore(runtime.db).messages_by_business_object("bo-1")
    assert {m["case_read_status"] for m in messages} == {"Read"}
    assert {m["read_at"] for m in messages} == {T0 + dt.timedelta(hours=2)}
    runtime.clock_store.command({"advance": "P1D"})
    logged_in(site).get(f"/inkorg/arende/{first}")
    assert InboxStore(runtime.db).message(first)["read_at"] == T0 + dt.timedelta(hours=2)  # first read kept


def test_archive_moves_a_thread_to_the_archived_filter_and_back(site):
    mid = put(site, header="Att arkivera")
    client = logged_in(site)
    answer = client.post(f"/inkorg/arende/{mid}/arkivera", data={"csrf_token": token(client, "/inkorg")})
    assert answer.status_code == 302
    assert "Att arkivera" not in client.get("/inkorg").get_data(as_text=True)
    assert "Att arkivera" in client.get("/inkorg?visa=arkiverade").get_data(as_text=True)
    assert InboxStore(site.config["RUNTIME"].db).message(mid)["user_selection_status"] == "Archived"
    client.post(f"/inkorg/arende/{mid}/aktivera", data={"csrf_token": token(client, "/inkorg")})
    assert "Att arkivera" in client.get("/inkorg").get_data(as_text=True)


def test_message_body_is_rendered_escaped_with_the_mismatch_marker(site):
    mid = put(
        site,
        msg="<article><para>&lt;script&gt;alert(1)&lt;/script&gt;</para>"
        "<para><img src='x' onerror='alert(2)'/></para><emphasis>x</emphasis></article>",
        header="<b>rubrik</b>",
    )
    answer = logged_in(site).get(f"/inkorg/arende/{mid}")
    page = answer.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror" not in page and "<b>rubrik</b>" not in page and "&lt;b&gt;rubrik&lt;/b&gt;" in page
    assert page.count(MISMATCH) == 2
    assert "script-src" not in answer.headers["Content-Security-Policy"]  # default-src 'none' covers scripts
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


BOOKING = {
    "booking_id": "B1",
    "is_invitation": True,
    "rebooking_allowed": True,
    "cancel_booking_allowed": True,
    "booking_date": "2027-03-20T09:30:00",
}


def test_booking_buttons_record_the_citizens_action_once(site):
    mid = put(site, booking=BOOKING)
    client = logged_in(site)
    page = client.get(f"/inkorg/arende/{mid}").get_data(as_text=True)
    assert "Boka om" in page and "Avboka" in page and "2027-03-20 09:30" in page
    answer = client.post(f"/inkorg/arende/{mid}/bokning/cancel", data={"csrf_token": token(client, "/inkorg")})
    assert answer.status_code == 302
    store = CitizenSideStore(site.config["RUNTIME"].db)
    [action] = store.actions(TOLVAN)
    assert (action["action"], action["booking_id"], action["created_at"], action["callback_status"]) == (
        "cancel",
        "B1",
        T0,
        "none",
    )
    page = client.get(f"/inkorg/arende/{mid}").get_data(as_text=True)
    assert "Avboka</button>" not in page and "begärt avbokning" in page
    client.post(f"/inkorg/arende/{mid}/bokning/cancel", data={"csrf_token": token(client, "/inkorg")})
    assert len(store.actions(TOLVAN)) == 1


@pytest.mark.parametrize(
    "messages, visible",
    [
        ([{**BOOKING, "rebooking_allowed": False}], ["Avboka"]),
        ([{**BOOKING, "cancel_booking_allowed": False}], ["Boka om"]),
        ([BOOKING, {**BOOKING, "cancelled": True}], []),  # MC-10 cancellation in the thread
        ([{**BOOKING, "booking_date": "2027-03-01T09:59:00"}], []),  # passed on the simulator clock
    ],
)
def test_buttons_show_only_when_allowed_and_the_booking_is_open(site, messages, visible):
    ids = [put(site, booking=b) for b in messages]
    client = logged_in(site)
    page = client.get(f"/inkorg/arende/{ids[0]}").get_data(as_text=True)
    for label in ("Boka om", "Avboka"):
        assert (f">{label}</button>" in page) == (label in visible)
    for action in ("cancel", "rebook"):
        if ("Avboka" if action == "cancel" else "Boka om") not in visible:
            client.post(f"/inkorg/arende/{ids[-1]}/bokning/{action}", data={"csrf_token": token(client, "/inkorg")})
    assert len(CitizenSideStore(site.config["RUNTIME"].db).actions(TOLVAN)) == 0


def test_trainer_pages_render(site):
    put(site, booking=BOOKING)
    client = site.test_client()
    for path, text in (
        ("/", "Logga in som invånare"),
        ("/kontroll/inkorgar", "Tolvan Tolvansson"),
        ("/kontroll/aviseringar", "Aviseringar"),
        ("/kontroll/pappersbrev", "Pappersbrev"),
        ("/kontroll/handelser", "Händelser"),
        ("/kontroll/klocka", "2027-03-01 10:00"),
    ):
        answer = client.get(path)
        assert answer.status_code == 200 and text in answer.get_data(as_text=True), path


def test_clock_buttons_on_the_trainer_page_move_the_clock_and_are_audited(site):
    client = site.test_client()
    client.post("/kontroll/klocka", data={"csrf_token": token(client, "/kontroll/klocka"), "button": "+3 dagar"})
    runtime = site.config["RUNTIME"]
    assert runtime.clock.now() == T0 + dt.timedelta(days=3)
    assert runtime.clock_store.audit(1)[0]["command"] == {"advance": "P3D"}
