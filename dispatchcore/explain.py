"""Answers "why did this citizen get paper?" in plain English from what the engine
recorded: the decisions (with the inputs they saw) and the steps that ran. Pure: rows in,
a dict out."""

from __future__ import annotations

from typing import Any

from dispatchcore.rows import BookingRow, DecisionRow, StepRow
from dispatchcore.states import Outcome, StepKind, StepState

CHANNEL_WORDS = {
    "digital_only": "only to 1177 Inkorg",
    "digital_and_paper": "to 1177 Inkorg and on paper",
    "paper_only": "only on paper",
    "none": "nowhere (manual handling)",
}
KIND_WORDS = {StepKind.ADDMESSAGE: "1177 message", StepKind.PAPER: "paper letter", StepKind.SMS: "SMS reminder"}
TIMERS = (StepKind.FALLBACK, StepKind.REMINDER, StepKind.RELOOKUP)


def _delivery(step: StepRow, decisions: dict[str, DecisionRow]) -> dict[str, Any]:
    result = step.result or {}
    payload = step.payload
    if step.kind == StepKind.PAPER and payload.get("because"):
        why = payload["because"]
    elif step.kind == StepKind.PAPER and step.key.startswith("paper:fallback"):
        why = "FB-01: the digital-only kallelse was not read within the fallback time."
    else:
        decision = decisions.get(f"dispatch:{payload.get('revision')}") if step.key.count(":") == 1 else None
        reasons = (decision.record.get("reasons") if decision else None) or []
        why = (
            " ".join(r["text"] for r in reasons if r["rule"].startswith("CH-") or r["rule"] == "LK-03")
            or f"{step.rule or ''} {payload.get('purpose', '')}".strip()
        )
    return {
        "what": KIND_WORDS[step.kind],
        "key": step.key,
        "purpose": payload.get("purpose"),
        "state": step.state,
        "rule": step.rule,
        "at": step.done_at.isoformat() if step.done_at else None,
        "why": why,
        "result": result,
    }


def explain(booking: BookingRow, decisions: list[DecisionRow], steps: list[StepRow]) -> dict[str, Any]:
    by_key = {d.key: d for d in decisions}
    deliveries = [_delivery(s, by_key) for s in steps if s.kind in KIND_WORDS and s.state != StepState.SKIPPED]
    papers = [d for d in deliveries if d["what"] == "paper letter" and d["state"] in ("done", "todo", "sending")]
    latest = next((d for d in reversed(decisions) if d.key.startswith(("dispatch", "relookup"))), None)
    if latest is None:
        summary = "The booking has not been dispatched yet."
    else:
        summary = f"The kallelse was sent {CHANNEL_WORDS[latest.outcome]}."
        if papers:
            summary += " Paper because: " + " ".join(p["why"] for p in papers)
        elif latest.outcome != Outcome.NONE:
            summary += " No paper letter was sent."
    timers = [
        {
            "key": s.key,
            "rule": s.rule,
            "due_at": s.due_at.isoformat(),
            "state": s.state,
            "result": s.result,
        }
        for s in steps
        if s.kind in TIMERS
    ]
    return {
        "booking_id": booking.booking_id,
        "business_object_id": booking.business_object_id,
        "summary": summary,
        "rule_ids": sorted(
            {r for d in decisions for r in d.rule_ids} | {s.rule for s in steps if s.rule and s.state == StepState.DONE}
        ),
        "decisions": [
            {
                "key": d.key,
                "decided_at": d.decided_at.isoformat(),
                "outcome": d.outcome,
                "rule_ids": d.rule_ids,
                "reasons": d.record.get("reasons", []),
                "inputs": {k: d.record.get(k) for k in ("clock", "pu", "userprofile", "booking") if k in d.record},
            }
            for d in decisions
        ],
        "deliveries": deliveries,
        "timers": timers,
    }
