"""The user-profile producers: look the citizen up, let the domain answer, write it.

GetSubjectOfCare may answer with another identity than the one asked for (TKB 8.5), and
GetUserProfileByAgent finds the child through the agent's custody relations (TKB 9.5);
both read the simulator clock's date, since custody ends at 18."""

from __future__ import annotations

from simulator.soap.service import ServiceSpec
from simulator.userprofile import domain, soap


def _notes(call, pnr: str, answer: domain.Answer) -> None:
    call.notes.update(personnummer=pnr, result_code=answer.result_code, rule_ids=list(answer.rule_ids))


def producer(runtime, decide, container: str):
    """One producer: personnummer -> citizen -> ``decide`` -> response element."""

    def produce(call):
        pnr = soap.read_subject_of_care(call.contract, call.payload)
        answer = decide(pnr, runtime.citizens.lookup(pnr))
        _notes(call, pnr, answer)
        return soap.response(call.contract, answer, container)

    return produce


def subject_of_care_producer(runtime):
    def produce(call):
        pnr = soap.read_subject_of_care(call.contract, call.payload)
        citizen = runtime.citizens.lookup(pnr)
        other = domain.other_identity(citizen)
        current = runtime.citizens.lookup(other) if other else None
        answer = domain.subject_of_care(pnr, citizen, runtime.clock.local_now().date(), current)
        _notes(call, pnr, answer)
        return soap.response(call.contract, answer, "subjectOfCare")

    return produce


def by_agent_producer(runtime):
    def produce(call):
        agent_pnr, object_id = soap.read_agent_request(call.contract, call.payload)
        agent = runtime.citizens.lookup(agent_pnr)
        child_pnr = domain.child_of(agent, object_id) if agent else None
        child = runtime.citizens.lookup(child_pnr) if child_pnr else None
        answer = domain.user_profile_by_agent(agent_pnr, agent, child, runtime.clock.local_now().date())
        _notes(call, agent_pnr, answer)
        return soap.response(call.contract, answer, "currentUserProfile")

    return produce


def producers(runtime) -> dict:
    return {
        "GetUserProfile": producer(runtime, domain.user_profile, "userProfile"),
        "GetSubjectOfCare": subject_of_care_producer(runtime),
        "GetUserProfileByAgent": by_agent_producer(runtime),
    }


SERVICE = ServiceSpec(prefix="userprofile", producers=producers)
