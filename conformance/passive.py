"""``check-traffic``: judge everything a vendor sent through the simulator in a time
window (GET /api/traffic) against the rules that can be seen on the wire alone:
MC-01..MC-04, MC-09/MC-10 (thread consistency), LK-01/LK-02 (lookups before a 1177
message) and MC-12 (notification texts). Nothing is set up and nothing is moved."""

from __future__ import annotations

import datetime as dt

from conformance import wire
from conformance.catalog import RULES
from conformance.checks import wirerules
from conformance.verdicts import Judgement, Verdict

RULE_IDS = ("MC-01", "MC-02", "MC-03", "MC-04", "MC-09", "MC-10", "LK-01", "LK-02", "MC-12")


def judge_window(sim, consumer: str, since: dt.datetime, until: dt.datetime | None) -> list[Verdict]:
    requests = [wire.parse(r) for r in sim.traffic(consumer=consumer or None, since=since, until=until)]
    judgements = {rule: Judgement(rule) for rule in RULE_IDS}
    messages = [m for m in (wire.add_message(r) for r in requests) if m is not None]
    window = f"{since.isoformat()} - {until.isoformat() if until else 'now'}"
    for judgement in judgements.values():
        judgement.note(
            "window",
            f"consumer {consumer or '(any)'}, simulator time {window}, "
            f"{len(requests)} request(s), {len(messages)} AddMessage(s)",
        )
    wirerules.mc01(judgements["MC-01"], requests)
    wirerules.mc02(judgements["MC-02"], messages)
    wirerules.mc03(judgements["MC-03"], messages)
    wirerules.mc04(judgements["MC-04"], requests)
    wirerules.threads(judgements["MC-09"], judgements["MC-10"], _with_history(sim, consumer, since, messages))
    for rule in ("MC-09", "MC-10"):
        if not judgements[rule].findings:
            judgements[rule].not_applicable("No booking in the window had more than one message or a cancellation.")
    _lookups(sim, consumer, messages, judgements)
    _notifications(sim, since, until, messages, judgements["MC-12"])
    verdicts = []
    for rule_id, judgement in judgements.items():
        status, summary = judgement.verdict()
        catalogued = RULES[rule_id]
        verdicts.append(
            Verdict(
                rule_id,
                status,
                catalogued.title,
                catalogued.source,
                summary,
                judgement.findings,
                judgement.evidence,
                "check-traffic",
                since.isoformat(),
            )
        )
    return sorted(verdicts, key=lambda v: list(RULES).index(v.rule_id))


def _with_history(sim, consumer, since, messages: list[wire.AddMessage]) -> list[wire.AddMessage]:
    """A booking's earlier messages (before the window) so an update or cancellation in
    the window is judged against the thread it belongs to."""
    wanted = {m.booking_id for m in messages if m.booking_id}
    earlier: list[wire.AddMessage] = []
    for pnr in sorted({m.subject for m in messages if m.subject}):
        for record in sim.traffic(personnummer=pnr, consumer=consumer or None, contract="AddMessage", until=since):
            message = wire.add_message(wire.parse(record))
            if message is not None and message.booking_id in wanted:
                earlier.append(message)
    return earlier + messages


def _lookups(sim, consumer, messages: list[wire.AddMessage], judgements) -> None:
    firsts: dict[str, wire.AddMessage] = {}
    for message in messages:
        if message.subject:
            firsts.setdefault(message.subject, message)
    for pnr, first in firsts.items():
        until = dt.datetime.fromisoformat(first.request.at) + dt.timedelta(microseconds=1)
        history = [wire.parse(r) for r in sim.traffic(personnummer=pnr, consumer=consumer or None, until=until)]
        history = [r for r in history if r.record["id"] <= first.request.record["id"]]
        wirerules.lookup_before(
            judgements["LK-01"], history, wirerules.LOOKUP_PU, f"GetPersonsForProfile (P3 or higher) for {pnr[:8]}-****"
        )
        wirerules.lookup_before(
            judgements["LK-02"], history, wirerules.LOOKUP_PROFILE, f"GetUserProfile for {pnr[:8]}-****"
        )
    if not firsts:
        for rule in ("LK-01", "LK-02"):
            judgements[rule].not_applicable("No AddMessage in the window.")


def _notifications(sim, since, until, messages: list[wire.AddMessage], judgement: Judgement) -> None:
    texts = []
    forbidden: list[str] = []
    for pnr in sorted({m.subject for m in messages if m.subject}):
        for note in sim.notifications(pnr):
            created = dt.datetime.fromisoformat(note["created_at"])
            created = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
            if created >= since and (until is None or created < until):
                texts.append(
                    (
                        f"1177 {note['channel']} notification at {note['created_at']}",
                        " ".join(filter(None, (note.get("subject"), note.get("text")))),
                    )
                )
    for message in messages:
        facility = wire.text(
            wire.find(message.request.payload, "message"), "healthCareFacility", "healthCareFacilityName"
        )
        date = message.booking.get("bookingDate") or ""
        forbidden += [w for w in (message.header_text, facility, date[:10], date[11:16]) if w]
    wirerules.mc12(judgement, texts, sorted(set(forbidden)))
