"""Answers "why did this citizen get paper?" in plain English from what the engine
recorded: the decisions (with the inputs they saw) and the steps that ran. Pure: dicts in,
a dict out."""

from __future__ import annotations

CHANNEL_WORDS = {
    "digital_only": "only to 1177 Inkorg",
    "digital_and_paper": "to 1177 Inkorg and on paper",
    "paper_only": "only on paper",
    "none": "nowhere (manual handling)",
}
KIND_WORDS = {"addmessage": "1177 message", "paper": "paper letter", "sms": "SMS reminder"}


def _delivery(step: dict, decisions: dict[str, dict]) -> dict:
    result = step.get("result") or {}
    payload = step.get("payload") or {}
    if step["kind"] == "paper" and payload.get("because"):
        why = payload["because"]
    elif step["kind"] == "paper" and step["key"].startswith("paper:fallback"):
        why = "FB-01: the digital-only kallelse was not read within the fallback time."
    else:
        decision = decisions.get(f"dispatch:{payload.get('revision')}") if step["key"].count(":") == 1 else None
        reasons = (decision or {}).get("record", {}).get("reasons") or []
        why = (
            " ".join(r["text"] for r in reasons if r["rule"].startswith("CH-") or r["rule"] == "LK-03")
            or f"{step.get('rule') or ''} {payload.get('purpose', '')}".strip()
        )
    return {
        "what": KIND_WORDS[step["kind"]],
        "key": step["key"],
        "purpose": payload.get("purpose"),
        "state": step["state"],
        "rule": step.get("rule"),
        "at": step["done_at"].isoformat() if step.get("done_at") else None,
        "why": why,
        "result": result,
    }


def explain(booking: dict, decisions: list[dict], steps: list[dict]) -> dict:
    by_key = {d["key"]: d for d in decisions}
    deliveries = [_delivery(s, by_key) for s in steps if s["kind"] in KIND_WORDS and s["state"] != "skipped"]
    papers = [d for d in deliveries if d["what"] == "paper letter" and d["state"] in ("done", "todo", "sending")]
    latest = next((d for d in reversed(decisions) if d["key"].startswith(("dispatch", "relookup"))), None)
    if latest is None:
        summary = "The booking has not been dispatched yet."
    else:
        summary = f"The kallelse was sent {CHANNEL_WORDS[latest['outcome']]}."
        if papers:
            summary += " Paper because: " + " ".join(p["why"] for p in papers)
        elif latest["outcome"] != "none":
            summary += " No paper letter was sent."
    timers = [
        {
            "key": s["key"],
            "rule": s.get("rule"),
            "due_at": s["due_at"].isoformat(),
            "state": s["state"],
            "result": s.get("result"),
        }
        for s in steps
        if s["kind"] in ("fallback", "reminder", "relookup")
    ]
    return {
        "booking_id": booking["booking_id"],
        "business_object_id": booking["business_object_id"],
        "summary": summary,
        "rule_ids": sorted(
            {r for d in decisions for r in d["rule_ids"]}
            | {s["rule"] for s in steps if s.get("rule") and s["state"] == "done"}
        ),
        "decisions": [
            {
                "key": d["key"],
                "decided_at": d["decided_at"].isoformat(),
                "outcome": d["outcome"],
                "rule_ids": d["rule_ids"],
                "reasons": d["record"].get("reasons", []),
                "inputs": {
                    k: d["record"].get(k) for k in ("clock", "pu", "userprofile", "booking") if k in d["record"]
                },
            }
            for d in decisions
        ],
        "deliveries": deliveries,
        "timers": timers,
    }
