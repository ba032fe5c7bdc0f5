"""The conformance vendor adapter (/dispatch/adapter) and the RP-01/RP-02 report."""
from __future__ import annotations

import datetime as dt

from tests.dispatch.conftest import FACILITY

ADULT = dt.date(1966, 4, 4)


def test_adapter_drives_the_engine_and_reports_its_outputs(dispatch):
    base = f"{dispatch.url}/dispatch/adapter"
    health = dispatch.http.get(f"{base}/health").json()
    assert health["status"] == "ok" and health["reads_simulator_clock"] is True and "FB-01" in health["rules"]
    assert dispatch.http.post(f"{base}/clock", json={"reads_simulator_clock": True}).status_code == 200
    assert dispatch.http.post(f"{base}/clock", json={"reads_simulator_clock": False}).status_code == 409
    assert dispatch.http.post(f"{base}/clock", json={}).json()["field"] == "reads_simulator_clock"
    pnr = dispatch.citizen(ADULT, optout=True)
    visit = (dispatch.clock() + dt.timedelta(days=9)).isoformat()
    body = {"booking_id": "AD-1", "personnummer": pnr, "visit_start": visit, "facility": FACILITY}
    assert dispatch.http.post(f"{base}/bookings", json=body).status_code == 201
    dispatch.settle("AD-1")
    later = (dispatch.clock() + dt.timedelta(days=10)).isoformat()
    assert dispatch.http.put(f"{base}/bookings/AD-1", json={"visit_start": later}).json()["revision"] == 2
    dispatch.settle("AD-1")
    assert dispatch.http.post(f"{base}/bookings/AD-1/cancel").json()["cancelled"] is True
    dispatch.settle("AD-1")
    out = dispatch.http.get(f"{base}/outputs", params={"booking_id": "AD-1"}).json()
    assert out["settled"] and out["cancelled"]
    assert [d["purpose"] for d in out["deliveries"] if d["channel"] == "digital"] == ["kallelse", "update", "cancel"]
    assert [d["outcome"] for d in out["decisions"]][:2] == ["digital_only", "digital_only"]
    assert dispatch.http.get(f"{base}/health").json()["idle"] is True
    assert dispatch.http.get(f"{base}/outputs", params={"booking_id": "nope"}).status_code == 400


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
    counts = {k: report["counts"].get(k, 0) - before["counts"].get(k, 0) for k in
              ("digital_only", "digital_and_paper", "paper_only")}
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
