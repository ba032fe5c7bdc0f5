"""Lookup rules LK-01..LK-04: what the vendor asks PU-tjänsten and 1177 before deciding,
and what it does when they fail (behaviour rules in the simulator make them fail for the
scenario's own patients only)."""

from __future__ import annotations

import datetime as dt

from conformance.checks import wirerules
from conformance.scenario import Scenario
from conformance.verdicts import Judgement

SERVER_FAULT = {"type": "soap_fault", "code": "Server", "text": "conformance: service unavailable"}


class LookupsFirst(Scenario):
    rules = ("LK-01", "LK-02")

    def start(self) -> None:
        pnr = self.citizen(optout=True)
        booking = self.book(self.booking(pnr))
        found = self.delivered(pnr, True, None)
        for rule in self.rules:
            self.show_booking(rule, booking)
        wirerules.lookup_before(
            self.j("LK-01"),
            found.requests,
            wirerules.LOOKUP_PU,
            "GetPersonsForProfile (profile P3 or higher) for the patient",
        )
        if found.add_messages and not found.letters:
            wirerules.lookup_before(
                self.j("LK-02"),
                found.requests,
                wirerules.LOOKUP_PROFILE,
                "GetUserProfile for the patient of a digital-only kallelse",
            )
        else:
            self.j("LK-02").not_applicable(
                f"The vendor did not send this kallelse digital-only "
                f"({len(found.add_messages)} AddMessage, {len(found.letters)} letter(s))."
            )
        self.show_delivery("LK-02", "opted-out reachable adult", found)


class Unavailable(Scenario):
    """LK-03: PU (patient A) and then GetUserProfile (patient B) answer SOAP Faults. Paper
    must go out at once; once the services are back and time has passed, the vendor looks
    the patient up again and adds the 1177 message."""

    rules = ("LK-03",)
    clock = True

    def start(self) -> None:
        self.patients = {}
        for contract in ("GetPersonsForProfile", "GetUserProfile"):
            pnr = self.citizen(optout=True)
            rule_id = self.fault(contract, pnr, SERVER_FAULT)
            self.show_booking("LK-03", self.book(self.booking(pnr)), f"{contract} unavailable: booking")
            self.patients[contract] = (pnr, rule_id)
        j = self.j("LK-03")
        self.lifted_at = {}
        for contract, (pnr, rule_id) in self.patients.items():
            found = self.delivered(pnr, None, True)
            faulted = [r for r in found.requests if r.contract == contract and r.record["outcome"] != "ok"]
            self.show_delivery("LK-03", f"{contract} unavailable", found)
            if not faulted:
                j.note(
                    f"{contract} unavailable: not judged",
                    f"The vendor never called {contract} for this "
                    "patient, so its unavailability did not reach the vendor (see LK-01/LK-02).",
                )
                continue
            j.expect(
                bool(found.letters),
                f"{contract} unavailable: the kallelse not dropped - a paper letter",
                f"{len(found.letters)} paper letter(s)",
            )
            self.run.sim.delete_behaviour(rule_id)
            self.lifted_at[contract] = max(r.record["id"] for r in found.requests)

    def checkpoints(self):
        return [(self.run.t0 + dt.timedelta(days=1), self.after_retry)]

    def after_retry(self) -> None:
        j = self.j("LK-03")
        for contract, last_id in self.lifted_at.items():
            pnr = self.patients[contract][0]
            found = self.delivered(pnr, True, None)
            later = [r for r in found.requests if r.record["id"] > last_id]
            retried = [r for r in later if r.contract == contract and r.record["outcome"] == "ok"]
            j.expect(
                bool(retried),
                f"{contract} back: the lookup retried later",
                ", ".join(f"{r.contract} ({r.record['outcome']}) at {r.at}" for r in later) or "no request",
            )
            accepted = [r for r in found.requests if r.contract == "AddMessage" and r.record["outcome"] == "ok"]
            j.expect(
                len(accepted) == 1 and any(r.contract == "AddMessage" for r in later),
                f"{contract} back: the 1177 message sent once (the patient is digitally reachable)",
                f"{len(accepted)} accepted of {len(found.add_messages)} AddMessage request(s)",
            )
            j.expect(
                len(found.letters) == 1,
                f"{contract} back: no second paper letter after the retry",
                f"{len(found.letters)} paper letter(s)",
            )
            self.show_requests("LK-03", f"{contract} back, one day later", later)
        if not self.lifted_at:
            j.not_applicable("No lookup of the scenario's patients failed, so LK-03 was never triggered.")


class AddMessageFailures(Scenario):
    """LK-04: INFO and ERROR answers lead to paper; a SOAP Fault leads to a retry in the
    same thread (same businessObjectId) and never to a second thread. An answer lost on
    the way back (the message stored, the connection reset) is a timeout to the vendor:
    whatever it does next stays in the one thread. A second copy of the kallelse in that
    thread is shown as a note, not failed: the rule asks for no duplicate thread, and
    avoiding the copy takes a GetMessageStatus before sending again."""

    rules = ("LK-04",)
    clock = True

    def start(self) -> None:
        j = self.j("LK-04")
        answers = {}
        for code in ("INFO", "ERROR"):
            pnr = self.citizen(optout=True)
            self.fault(
                "AddMessage",
                pnr,
                {"type": "result_code", "code": code, "text": f"conformance: AddMessage answered {code}"},
            )
            self.show_booking("LK-04", self.book(self.booking(pnr)), f"AddMessage {code}: booking")
            answers[code] = pnr
        self.faulted = self.citizen(optout=True)
        self.fault("AddMessage", self.faulted, SERVER_FAULT, times=1)
        self.show_booking("LK-04", self.book(self.booking(self.faulted)), "AddMessage Fault once: booking")
        self.lost = self.citizen(optout=True)
        self.fault("AddMessage", self.lost, {"type": "answer_lost"}, times=1)
        self.show_booking("LK-04", self.book(self.booking(self.lost)), "AddMessage answer lost once: booking")
        for code, pnr in answers.items():
            found = self.delivered(pnr, None, True)
            if found.add_messages:
                j.expect(
                    bool(found.letters),
                    f"AddMessage answered {code}: paper sent",
                    f"{len(found.letters)} paper letter(s)",
                )
            else:
                j.note(f"AddMessage {code}: not judged", "The vendor sent no AddMessage for this patient.")
            self.show_delivery("LK-04", f"AddMessage answered {code}", found)

    def checkpoints(self):
        return [(self.run.t0 + dt.timedelta(days=1), self.after_retry)]

    def after_retry(self) -> None:
        j = self.j("LK-04")
        found = self.delivered(self.faulted, True, None)
        ids = [m.business_object_id for m in found.add_messages]
        j.expect(len(ids) >= 2, "after a SOAP Fault: AddMessage retried", f"{len(ids)} AddMessage request(s)")
        j.expect(len(set(ids)) <= 1, "every retry with the same businessObjectId", ", ".join(map(str, ids)))
        threads = self.run.sim.inbox(self.faulted)["threads"]
        j.expect(len(threads) <= 1, "no duplicate thread in the inbox", f"{len(threads)} thread(s)")
        stored = sum(len(t["messages"]) for t in threads)
        j.expect(stored == 1, "the re-send stored the kallelse once (no second copy)", f"{stored} message(s) stored")
        self.show_delivery("LK-04", "AddMessage Fault once, a day later", found)
        self.after_lost_answer(j)

    def after_lost_answer(self, j: Judgement) -> None:
        found = self.delivered(self.lost, True, None)
        ids = {m.business_object_id for m in found.add_messages}
        j.expect(
            len(ids) <= 1,
            "after a lost answer: every AddMessage with the same businessObjectId",
            ", ".join(map(str, ids)),
        )
        threads = self.run.sim.inbox(self.lost)["threads"]
        j.expect(
            len(threads) <= 1, "after a lost answer: no duplicate thread in the inbox", f"{len(threads)} thread(s)"
        )
        stored = sum(len(t["messages"]) for t in threads)
        if stored > 1:
            j.note(
                f"after a lost answer: the kallelse is in the thread {stored} times",
                "1177 had stored the first AddMessage; the answer was lost on the way back and the "
                "same kallelse was sent again. Asking GetMessageStatus for the thread before "
                "sending again avoids the second copy.",
            )
        self.show_delivery("LK-04", "AddMessage answer lost once, a day later", found)


SCENARIOS: list[type[Scenario]] = [LookupsFirst, Unavailable, AddMessageFailures]
