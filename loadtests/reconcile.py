"""After every run: what the load generators were told (the ledger) against what the
simulator stored, through its control API — so it works against any ``--target``.

* every AddMessage answered OK or INFO is stored exactly once, with that resultCode
  (nothing lost, nothing duplicated);
* every thread a citizen opened is stored as Read, with a read time (RP-02);
* every accepted booking has exactly one dispatch decision, and the outputs its rules
  demand — one 1177 message if the decision has the digital channel, one paper letter
  if it has paper, one FB-01 letter if a digital-only kallelse stayed unread past the
  fallback time, none if it was read (FB-02) — and no duplicates (dispatch_checks).

A run that loses or duplicates anything fails, whatever its speed."""

from __future__ import annotations

import collections

from loadtests.checks import Api, Check, inbox_messages
from loadtests.dispatch_checks import booking_checks

# businessObjectId prefixes of the SOAP scenarios' own messages (loadtests.scenarios.common.unique)
SOAP_PREFIXES = ("LT-", "CR-")


def addmessage_check(api: Api, acks: list[dict], reads: list[dict], run: str) -> list[Check]:
    stored_check, read_check = Check("AddMessage acknowledged = stored once"), Check("opened threads stored as Read")
    by_pnr = collections.defaultdict(list)
    for ack in acks:
        by_pnr[ack["pnr"]].append(ack)
    read_by_pnr = collections.defaultdict(list)
    for read in reads:
        read_by_pnr[read["pnr"]].append(read["message_id"])
    unacknowledged = 0

    def one(pnr: str):
        return pnr, inbox_messages(api, pnr)

    for pnr, messages in api.each(one, sorted(set(by_pnr) | set(read_by_pnr))):
        stored = collections.Counter((m["business_object_id"], m["result_code"]) for m in messages)
        acked = {a["bo"] for a in by_pnr.get(pnr, [])}
        for ack in by_pnr.get(pnr, []):
            stored_check.checked += 1
            count = stored[(ack["bo"], ack["code"])]
            if count == 0:
                stored_check.problem(f"lost: {ack['bo']} answered {ack['code']} but is not in the inbox")
            elif count > 1:
                stored_check.problem(f"duplicated: {ack['bo']} stored {count} times")
        unacknowledged += sum(
            1
            for m in messages
            if (m["business_object_id"] or "").startswith(SOAP_PREFIXES)
            and f"-{run}-" in m["business_object_id"]
            and m["business_object_id"] not in acked
        )
        by_id = {m["message_id"]: m for m in messages}
        for message_id in set(read_by_pnr.get(pnr, [])):
            read_check.checked += 1
            message = by_id.get(message_id)
            if message is None:
                read_check.problem(f"opened message {message_id} is not in the inbox")
            elif message["case_read_status"] != "Read" or not message["read_at"]:
                read_check.problem(
                    f"opened message {message_id} is {message['case_read_status']}, read_at {message['read_at']}"
                )
    # Stored without an answer the client saw (e.g. a client-side timeout): not a loss.
    stored_check.notes["stored_without_acknowledgement"] = unacknowledged
    return [c for c in (stored_check, read_check) if c.checked or c.notes.get("stored_without_acknowledgement")]


def run_checks(base_url: str, entries: dict[str, list[dict]], run: str, expect_fallback: bool = False) -> dict:
    """All checks that the ledger has entries for; ``{"ok", "checks": [...]}``."""
    api = Api(base_url)
    checks: list[Check] = []
    if entries.get("addmessage") or entries.get("read"):
        checks += addmessage_check(api, entries.get("addmessage", []), entries.get("read", []), run)
    if entries.get("booking"):
        reads = {r["booking_id"] for r in entries.get("read", []) if r.get("booking_id")}
        checks += booking_checks(api, entries["booking"], expect_fallback, reads)
    return {"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]}
