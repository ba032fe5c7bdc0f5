"""Reconciliation of the dispatch scenarios: every accepted booking against its decision
record (``GET /dispatch/api/bookings/<id>/decision``), the citizen's inbox and the paper
outbox. What the rules demand, per booking (no updates or cancellations in these runs):

* exactly one dispatch decision (``dispatch:1``), no failed step, nothing still pending;
* one 1177 message in the booking's thread if the decision has the digital channel, none
  otherwise (CH-06/08/10/11/12 decide which);
* one paper letter if the decision has paper — or if the digital part failed and LK-03/
  LK-04 sent paper instead — and, once the clock passed the fallback time, one FB-01
  letter for a digital-only kallelse nobody read (FB-01), none for one that was read (FB-02);
* manual handling (CH-11): nothing at all.
More than demanded is a duplicate, less is a loss: either fails the run."""

from __future__ import annotations

import collections
from collections.abc import Set

from loadtests.checks import Api, Check, inbox_messages

DIGITAL = ("digital_only", "digital_and_paper")
PAPER = ("paper_only", "digital_and_paper")


def expected(decision: dict, read: bool, fallback_fired: bool) -> tuple[int, int, str, str]:
    """(messages, letters, outcome, why) the rules demand for one booking."""
    dispatch = [d for d in decision["decisions"] if d["key"].startswith(("dispatch:", "relookup:"))]
    outcome = dispatch[-1]["outcome"] if dispatch else "none"
    rules = {r for d in dispatch for r in d["rule_ids"]}
    deliveries = decision["deliveries"]
    message_codes = [(d["result"] or {}).get("code") for d in deliveries if d["what"] == "1177 message"]
    messages = 1 if outcome in DIGITAL else 0
    paper_instead = "LK-03" in rules or any(code not in (None, "OK") for code in message_codes)
    if outcome in PAPER or paper_instead:
        return messages, 1, outcome, f"{outcome} ({', '.join(sorted(rules))})"
    if outcome == "digital_only" and fallback_fired and not read:
        return messages, 1, "digital_only + FB-01", "digital_only, unread at the fallback time (FB-01)"
    why = f"{outcome} ({', '.join(sorted(rules))})" + (", read in time (FB-02)" if read else "")
    return messages, 0, outcome + (" + FB-02" if read and fallback_fired else ""), why


def booking_checks(api: Api, bookings: list[dict], expect_fallback: bool, reads: Set[str] = frozenset()) -> list[Check]:
    decided = Check("bookings: exactly one decision, nothing failed or pending")
    outputs = Check("bookings: the messages and letters the rules demand, no duplicates")
    by_pnr = collections.defaultdict(list)
    for booking in bookings:
        by_pnr[booking["pnr"]].append(booking["booking_id"])

    def per_citizen(pnr: str):
        letters = api.get("/api/paper-letters", personnummer=pnr) or []
        messages = inbox_messages(api, pnr)
        return pnr, messages, letters

    def per_booking(booking_id: str):
        return booking_id, api.get(f"/dispatch/api/bookings/{booking_id}/decision")

    citizens = {pnr: (messages, letters) for pnr, messages, letters in api.each(per_citizen, sorted(by_pnr))}
    decisions = dict(api.each(per_booking, [b["booking_id"] for b in bookings]))
    tally: collections.Counter[str] = collections.Counter()
    for booking in bookings:
        booking_id, pnr = booking["booking_id"], booking["pnr"]
        decision = decisions.get(booking_id)
        decided.checked += 1
        outputs.checked += 1
        if decision is None:
            decided.problem(f"lost: booking {booking_id} was accepted but is unknown to the dispatch core")
            continue
        keys = [d["key"] for d in decision["decisions"] if d["key"].startswith("dispatch:")]
        if len(keys) != 1:
            decided.problem(f"booking {booking_id}: {len(keys)} dispatch decisions {keys}")
        broken = [d["key"] for d in decision["deliveries"] if d["state"] in ("failed", "todo", "sending")]
        if broken:
            decided.problem(f"booking {booking_id}: deliveries not done: {broken}")
        messages, letters = citizens[pnr]
        got_messages = sum(1 for m in messages if (m.get("booking") or {}).get("booking_id") == booking_id)
        got_letters = sum(1 for letter in letters if letter.get("booking_id") == booking_id)
        want_messages, want_letters, outcome, why = expected(decision, booking_id in reads, expect_fallback)
        tally[outcome] += 1
        if (got_messages, got_letters) != (want_messages, want_letters):
            kind = "duplicated" if got_messages > want_messages or got_letters > want_letters else "lost"
            outputs.problem(
                f"{kind}: booking {booking_id} ({why}): {got_messages} messages and {got_letters} "
                f"letters, the rules demand {want_messages} and {want_letters}"
            )
    outputs.notes["outcomes"] = dict(tally)
    return [decided, outputs]
