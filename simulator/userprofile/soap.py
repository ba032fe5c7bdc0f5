"""GetUserProfile and GetSubjectOfCare on the wire: the request's personnummer in, an
:class:`~simulator.userprofile.domain.Answer` out as the contract's response element.

Namespaces come from the contract: the responder namespace from the WSDL, the core
namespace (``urn:mvk:itintegration:userprofile:2``) from the responder XSD's import."""

from __future__ import annotations

from lxml import etree

from contracts.bundle import Contract
from simulator.soap.endpoint import TextAnswer
from simulator.soap.envelope import Part, written_element
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


def _value(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


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
    responder, core = contract.responder_namespace, contract.core_namespace
    text = written_element(contract.response_element, responder, core, _parts(answer, container))
    if text is None:
        return tree(contract, answer, container)
    outline = etree.Element(contract.response_element)  # what the traffic recorder reads
    etree.SubElement(outline, f"{{{responder}}}resultCode").text = answer.result_code
    return TextAnswer(text, outline)


def _parts(answer: Answer, container: str) -> list[Part]:
    """The parts of :func:`tree`, in its order, for :func:`~simulator.soap.envelope.written_element`."""
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
    responder, core = contract.responder_namespace, contract.core_namespace
    root = etree.Element(contract.response_element, nsmap={None: responder, "core": core})

    def add(parent, namespace, name, value):
        if value is not None:
            etree.SubElement(parent, f"{{{namespace}}}{name}").text = _value(value)

    add(root, responder, "agentName", answer.agent_name)
    add(root, responder, "agentType", answer.agent_type)
    if answer.fields is not None:
        holder = etree.SubElement(root, f"{{{responder}}}{container}")
        for name, value in answer.fields.items():
            if isinstance(value, list):
                group = etree.SubElement(holder, f"{{{core}}}{name}")
                for entry in value:
                    item = etree.SubElement(group, f"{{{core}}}items")
                    for key, text in entry.items():
                        add(item, core, key, text)
            else:
                add(holder, core, name, value)
    add(root, responder, "isActive", answer.is_active)
    add(root, responder, "unregisterCode", answer.unregister_code)
    add(root, responder, "resultCode", answer.result_code)
    add(root, responder, "resultText", answer.result_text)
    return root
