"""GetUserProfile and GetSubjectOfCare on the wire: the request's personnummer in, an
:class:`~simulator.userprofile.domain.Answer` out as the contract's response element.

Namespaces come from the contract: the responder namespace from the WSDL, the core
namespace (``urn:mvk:itintegration:userprofile:2``) from the responder XSD's import."""

from __future__ import annotations

from lxml import etree

from contracts.bundle import Contract
from simulator.userprofile.domain import Answer


def read_subject_of_care(payload: etree._Element) -> str:
    """GetUserProfile and GetSubjectOfCare both carry ``subjectOfCare`` (schema-checked)."""
    return (payload.findtext("{*}subjectOfCare") or "").strip()


def read_agent_request(payload: etree._Element) -> tuple[str, str]:
    """GetUserProfileByAgent: the agent's ``subjectOfCareId`` and the child's ``objectId``."""
    return (payload.findtext("{*}subjectOfCareId") or "").strip(), (payload.findtext("{*}objectId") or "").strip()


def _value(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def response(contract: Contract, answer: Answer, container: str) -> etree._Element:
    """``container`` is the element holding ``answer.fields`` (userProfile,
    subjectOfCare or currentUserProfile); the other parts are written when the answer
    has them, in the order the response types share: agentName, agentType, container,
    isActive | unregisterCode, resultCode, resultText. A list value (``relatives``) is a
    RelativeListType: one ``items`` element per entry."""
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
