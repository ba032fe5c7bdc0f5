"""The conformance vendor adapter (/dispatch/adapter) and the RP-01/RP-02 report."""

from __future__ import annotations

import datetime as dt

from tests.dispatch.conftest import FACILITY

ADULT = dt.date(1966, 4, 4)


def test_adapter_follows_the_conformance_protocol(dispatch):
    """conformance/adapter-openapi.yaml, as the suite's client reads it."""
    base = f"{dispatch.url}/dispatch/adapter"
    health = dispatch.http.get(f"{base}/health").json()
    assert health["status"] == "ok" and health["clock"] == "simulator" and health["paper"] == "simulator"
    assert health["sms"] == "adapter" and health["settle"] is True and health["booking_status"] is True
    assert health["consumer_hsa_id"] == "SE2321000065-DISP1" and set(health["profiles"]) == {"rjl", "vgr"}
    assert dispatch.http.post(f"{base}/clock", json={"advance": "P1D"}).status_code == 409
    pnr = dispatch.citizen(ADULT, optout=True)
    visit = (dispatch.clock() + dt.timedelta(days=9)).isoformat()
    body = {
        "booking_id": "AD-1",
        "personnummer": pnr,
        "profile": "rjl",
        "visit_start": visit,
        "facility": FACILITY,
        "sms_reminder_consent": True,
        "mobile": "+46705555555",
    }
    created = dispatch.http.post(f"{base}/bookings", json=body)
    assert created.status_code == 201 and created.json()["status"] in ("pending", "dispatched")
    assert dispatch.http.post(f"{base}/bookings", json=body).status_code == 200
    deadline = dt.datetime.now() + dt.timedelta(seconds=30)
    while not dispatch.http.get(f"{base}/idle").json()["idle"]:
        assert dt.datetime.now() < deadline
    record = dispatch.http.get(f"{base}/bookings/AD-1").json()
    assert record["status"] == "dispatched" and "CH-01" in record["decision"]["rule_ids"]
    later = (dispatch.clock() + dt.timedelta(days=10)).isoformat()
    assert dispatch.http.put(f"{base}/bookings/AD-1", json={"visit_start": later}).json()["revision"] == 2
    dispatch.settle("AD-1")
    dispatch.advance("P6DT12H")  # past the 4-day reminder of the new time
    dispatch.settle("AD-1")
    sms = dispatch.http.get(f"{base}/sent/sms", params={"personnummer": pnr}).json()["items"]
    assert len(sms) == 1 and sms[0]["booking_id"] == "AD-1" and sms[0]["recipient"] == "+46705555555"
    assert dispatch.http.post(f"{base}/bookings/AD-1/cancel").json()["status"] == "cancelled"
    dispatch.settle("AD-1")
    out = dispatch.http.get(f"{base}/outputs", params={"booking_id": "AD-1"}).json()
    assert [d["purpose"] for d in out["deliveries"] if d["channel"] == "digital"] == [
        "kallelse",
        "update",
        "reminder",
        "cancel",
    ]  # the reminder joined the unread thread (RM-02)
    assert dispatch.http.get(f"{base}/bookings/nope").status_code == 404
    assert dispatch.http.put(f"{base}/bookings/nope", json={}).status_code == 404
    assert dispatch.http.get(f"{base}/sent/sms").json()["field"] == "personnummer"


def test_report_counts_shares_savings_goals_and_read_receipts(dispatch):
    before = dispatch.http.get(f"{dispatch.url}/dispatch/api/report").json()
    digital = dispatch.booking(dispatch.citizen(ADULT, optout=True))
    both = dispatch.booking(dispatch.citizen(ADULT, optout=False))
    paper = dispatch.booking(dispatch.citizen(ADULT, optout=True, account="none"))
    for booking in (digital, both, paper):
        dispatch.settle(booking["booking_id"])
    message = dispatch.messages(digital)[0]
    dispatch.read_as_citizen(digital["booking"]["personnummer"], message["message_id"])
    report = dispatch.http.get(f"{dispatch.url}/dispatch/api/report", params={"refresh": "true"}).json()
    counts = {
        k: report["counts"].get(k, 0) - before["counts"].get(k, 0)
        for k in ("digital_only", "digital_and_paper", "paper_only")
    }
    assert counts == {"digital_only": 1, "digital_and_paper": 1, "paper_only": 1}
    assert report["paper_letters_avoided"] - before["paper_letters_avoided"] == 1
    saved = report["estimated_savings_sek"]["total"] - before["estimated_savings_sek"]["total"]
    assert saved == report["estimated_savings_sek"]["cost_per_letter_sek"]["rjl"]
    assert set(report["goals"]) == {"digital_possible", "digital_only_of_possible"}
    assert abs(sum(report["shares"].values()) - 1) < 0.01
    receipts = {r["booking_id"]: r for r in report["read_receipts"]}
    assert receipts[digital["booking_id"]]["read"] is True
    assert receipts[both["booking_id"]]["read"] is False
    assert paper["booking_id"] not in receipts
    page = dispatch.http.get(f"{dispatch.url}/dispatch/rapport")
    assert page.status_code == 200 and "<svg" in page.text and "mål 60 %" in page.text
    assert digital["booking"]["personnummer"] not in page.text
