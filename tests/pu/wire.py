"""GetPersonsForProfile requests as a care system sends them: SOAP 1.1 with the RIVTA
LogicalAddress header, the contract's SOAPAction and the consumer HSA-id header, POSTed
over real HTTP; and readers for the answer."""

from __future__ import annotations

from xml.sax.saxutils import escape

from lxml import etree

from contracts.bundle import ContractBundle
from simulator.pu.domain import identity_root
from tests import rivta
from tests.rivta import SOAP, citizen_store, fault  # noqa: F401  (used by the PU tests)

PATH = "/pu/GetPersonsForProfile/5/rivtabp21"
CONTRACT = ContractBundle()["GetPersonsForProfile"]
RESPONDER = CONTRACT.responder_namespace
CORE = CONTRACT.core_namespace
LOGICAL_ADDRESS = "SE2321000016-PU"
CONSUMER = "SE-TEST-CONSUMER"


def request_body(ids, profile: str = "P3", ignore_referred: bool = False) -> str:
    """``ids``: personnummer (root chosen to match) or (root, extension) pairs."""
    pairs = [(identity_root(i), i) if isinstance(i, str) else i for i in ids]
    person_ids = "".join(
        f"<personId><core:root>{escape(root)}</core:root>"
        + (f"<core:extension>{escape(ext)}</core:extension>" if ext is not None else "")
        + "</personId>"
        for root, ext in pairs
    )
    return (
        f'<GetPersonsForProfile xmlns="{RESPONDER}" xmlns:core="{CORE}">{person_ids}'
        f"<profile>{profile}</profile><ignoreReferredIdentity>{'true' if ignore_referred else 'false'}"
        "</ignoreReferredIdentity></GetPersonsForProfile>"
    )


def post(server, body: str, action: str = CONTRACT.soap_action):
    return rivta.post(server.url, PATH, rivta.envelope(body, LOGICAL_ADDRESS), action, CONSUMER, timeout=60)


def lookup(server, ids, profile: str = "P3", ignore_referred: bool = False) -> list[etree._Element]:
    """The requestedPersonRecord elements of a successful answer (schema-checked)."""
    response = post(server, request_body(ids, profile, ignore_referred))
    assert response.status_code == 200, response.text
    payload = etree.fromstring(response.content).find(f"{{{SOAP}}}Body")[0]
    assert CONTRACT.schema.validate(payload), CONTRACT.schema.error_log
    return payload.findall(f"{{{RESPONDER}}}requestedPersonRecord")


def record(server, pnr: str, profile: str = "P3", ignore_referred: bool = False) -> etree._Element | None:
    """The personRecord answering one identity, or None."""
    (answer,) = lookup(server, [pnr], profile, ignore_referred)
    return answer.find(f"{{{CORE}}}personRecord")


def text(element: etree._Element | None, path: str) -> str | None:
    """``path`` in local names, e.g. ``personalIdentity/extension``."""
    if element is None:
        return None
    return element.findtext("/".join(f"{{{CORE}}}{step}" for step in path.split("/")))


def paths(element: etree._Element) -> set[str]:
    """Every element path below ``element`` in local names: what a profile shows."""
    found = set()
    for child in element.iter():
        if child is element or not isinstance(child.tag, str):
            continue
        steps = [
            etree.QName(a).localname
            for a in reversed(list(child.iterancestors()))
            if a is not element and element in a.iterancestors()
        ]
        found.add("/".join(steps + [etree.QName(child).localname]))
    return found
