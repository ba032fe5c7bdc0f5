"""GetUserProfile and GetSubjectOfCare on the wire: the request's personnummer in, an
:class:`~simulator.userprofile.domain.Answer` out as the contract's response element.

Namespaces come from the contract: the responder namespace from the WSDL, the core
namespace (``urn:mvk:itintegration:userprofile:2``) from the responder XSD's import."""

from __future__ import annotations

from lxml import etree

from contracts.bundle import Contract
from simulator.soap.endpoint import TextAnswer, parts_answer
from simulator.soap.envelope import Part, grown_element
from simulator.userprofile.domain import Answer


def _field(contract: Contract, payload: etree._Element, name: str) -> str:
    """A request field's text, stripped. The payload is schema-valid by now, so the field is
    in the responder namespace; lxml's tag-filtered child iterator finds it in C (``findtext``
    parses its path on every call, twice the time)."""
    child = next(payload.iterchildren(f"{{{contract.responder_namespace}}}{name}"), None)
    return "" if child is None else (child.text or "").strip()


def read_subject_of_care(contract: Contract, payload: etree._Element) -> str:
    """GetUserProfile and GetSubjectOfCare both carry ``subjectOfCare`` (schema-checked)."""
    return _field(contract, payload, "subjectOfCare")


def read_agent_request(contract: Contract, payload: etree._Element) -> tuple[str, str]:
    """GetUserProfileByAgent: the agent's ``subjectOfCareId`` and the child's ``objectId``."""
    return _field(contract, payload, "subjectOfCareId"), _field(contract, payload, "objectId")


def response(contract: Contract, answer: Answer, container: str) -> TextAnswer | etree._Element:
    """``container`` is the element holding ``answer.fields`` (userProfile,
    subjectOfCare or currentUserProfile); the other parts are written when the answer
    has them, in the order the response types share: agentName, agentType, container,
    isActive | unregisterCode, resultCode, resultText. A list value (``relatives``) is a
    RelativeListType: one ``items`` element per entry.

    Written as text (:func:`~simulator.soap.envelope.written_element`), the bytes lxml
    writes for :func:`tree`: building and serializing the tree of a profile was a tenth
    of a GetUserProfile's CPU. When a value is one lxml writes otherwise, the tree is
    built (the same bytes as always)."""
    return parts_answer(contract, _parts(answer, container), answer.result_code)


def _parts(answer: Answer, container: str) -> list[Part]:
    """The answer as parts (:data:`~simulator.soap.envelope.Part`), in the order the response types share."""
    parts: list[Part] = [("agentName", answer.agent_name), ("agentType", answer.agent_type)]
    if answer.fields is not None:
        fields: list[Part] = [
            (f"core:{name}", [("core:items", _entry(entry)) for entry in value] if isinstance(value, list) else value)
            for name, value in answer.fields.items()
        ]
        parts.append((container, fields))
    parts += [
        ("isActive", answer.is_active),
        ("unregisterCode", answer.unregister_code),
        ("resultCode", answer.result_code),
        ("resultText", answer.result_text),
    ]
    return parts


def _entry(entry: dict) -> list[Part]:
    return [(f"core:{key}", text) for key, text in entry.items()]


def tree(contract: Contract, answer: Answer, container: str) -> etree._Element:
    """The response element built with lxml (see :func:`response`)."""
    parts = _parts(answer, container)
    return grown_element(contract.response_element, contract.responder_namespace, contract.core_namespace, parts)
