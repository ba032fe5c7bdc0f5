"""What the platform reads out of a request for behaviour rules and the traffic record:
who it is about (personnummer), the thread (businessObjectId), the sending system, and
the contract rules the request visibly breaks (MC-01 missing LogicalAddress, MC-04 a
subjectOfCareId whose check digit is wrong).

Elements are found by local name, so one reader serves every contract: AddMessage's
``subjectOfCareId``, the user-profile ``subjectOfCare`` and PU's ``personId/extension``.
"""

from __future__ import annotations

import dataclasses

from lxml import etree

from simulator.population.personnummer import TWELVE_DIGITS, has_valid_check_digit

SUBJECT_TAGS = ("subjectOfCareId", "subjectOfCare")
MAX_SUBJECTS = 500  # PU's batch limit


@dataclasses.dataclass(frozen=True)
class RequestFacts:
    personnummer: tuple[str, ...] = ()
    business_object_id: str | None = None
    source_system: str | None = None
    rule_ids: tuple[str, ...] = ()


# Only these elements are looked at: lxml's tag-filtered iterator skips the rest in C
# (walking every element of an AddMessage in Python was a twentieth of the request).
_READ = tuple(f"{{*}}{name}" for name in (*SUBJECT_TAGS, "personId", "businessObjectId", "sourceSystem"))


def _local(element) -> str:
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _text(element) -> str | None:
    value = (element.text or "").strip()
    return value or None


def read_facts(payload: etree._Element | None, logical_address: str | None) -> RequestFacts:
    if payload is None:
        return RequestFacts()
    subjects: list[str] = []
    checked: list[str] = []
    business_object_id: str | None = None
    source_system: str | None = None
    for element in payload.iter(*_READ):
        name = _local(element)
        text = _text(element)
        if name in SUBJECT_TAGS and len(element) == 0 and text:
            subjects.append(text)
            checked.append(text)
        elif name == "personId":
            extension = next((c for c in element if _local(c) == "extension"), None)
            person = _text(extension) if extension is not None else None
            if person:
                subjects.append(person)
        elif name == "businessObjectId" and business_object_id is None:
            business_object_id = text
        elif name == "sourceSystem" and source_system is None:
            source_system = text
    rules = []
    if not logical_address:
        rules.append("MC-01")
    if any(TWELVE_DIGITS.match(s) and not has_valid_check_digit(s) for s in checked):
        rules.append("MC-04")
    return RequestFacts(tuple(dict.fromkeys(subjects))[:MAX_SUBJECTS], business_object_id, source_system, tuple(rules))


def facts_of(call) -> RequestFacts:
    """Read once per call; the gate and the recorder share it through ``call.notes``."""
    if "platform.facts" not in call.notes:
        payload = call.envelope.payload if call.envelope is not None else None
        call.notes["platform.facts"] = read_facts(payload, call.logical_address)
    return call.notes["platform.facts"]
