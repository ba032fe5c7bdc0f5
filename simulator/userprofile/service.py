"""The user-profile producers: look the citizen up, let the domain answer, write it.

GetUserProfileByAgent is in the official bundle but not served: it needs the
anonymised objectId of a child and the guardian relation, neither of which the
simulated population models (docs/inbox.md)."""

from __future__ import annotations

from simulator.soap.service import ServiceSpec
from simulator.userprofile import domain, soap


def producer(runtime, decide, container: str):
    """One producer: personnummer -> citizen -> ``decide`` -> response element."""

    def produce(call):
        pnr = soap.read_subject_of_care(call.payload)
        answer = decide(pnr, runtime.citizens.get(pnr))
        call.notes.update(personnummer=pnr, result_code=answer.result_code, rule_ids=list(answer.rule_ids))
        return soap.response(call.contract, answer, container)

    return produce


def producers(runtime) -> dict:
    return {
        "GetUserProfile": producer(runtime, domain.user_profile, "userProfile"),
        "GetSubjectOfCare": producer(runtime, domain.subject_of_care, "subjectOfCare"),
    }


SERVICE = ServiceSpec(prefix="userprofile", producers=producers)
