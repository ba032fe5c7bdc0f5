"""GetPersonsForProfile on the wire: request payload in, :mod:`simulator.pu.domain`
answer out as the contract's response element.

Namespaces come from the contract: the responder namespace from the WSDL, the domain
schema's namespace (``...persons:person:5``, where IIType and PersonRecordType live) from
the responder XSD's import. Elements of the responder types are in the responder
namespace, everything inside a domain type in the domain namespace."""

from __future__ import annotations

import logging

from lxml import etree

from contracts.bundle import Contract
from simulator.population.personnummer import mask
from simulator.pu import domain
from simulator.soap.envelope import SoapFault

log = logging.getLogger(__name__)


def read_lookup(contract: Contract, payload: etree._Element) -> domain.Lookup:
    """The payload is schema-valid by now: every element below is present."""
    responder, core = contract.responder_namespace, contract.core_namespace
    ids = tuple(
        domain.PersonId(
            root=(p.findtext(f"{{{core}}}root") or "").strip(), extension=p.findtext(f"{{{core}}}extension")
        )
        for p in payload.iterfind(f"{{{responder}}}personId")
    )
    ignore = (payload.findtext(f"{{{responder}}}ignoreReferredIdentity") or "").strip() in ("true", "1")
    return domain.Lookup(ids, (payload.findtext(f"{{{responder}}}profile") or "").strip(), ignore)


def _write(parent: etree._Element, namespace: str, nodes: list[domain.Node]) -> None:
    for name, value in nodes:
        element = etree.SubElement(parent, f"{{{namespace}}}{name}")
        if isinstance(value, list):
            _write(element, namespace, value)
        elif isinstance(value, bool):
            element.text = "true" if value else "false"
        else:
            element.text = str(value)


def response(contract: Contract, records: list[list[domain.Node]]) -> etree._Element:
    responder, core = contract.responder_namespace, contract.core_namespace
    root = etree.Element(contract.response_element, nsmap={None: responder, "core": core})
    for record in records:
        _write(etree.SubElement(root, f"{{{responder}}}requestedPersonRecord"), core, record)
    return root


def producer(runtime):
    def get_persons_for_profile(call) -> etree._Element:
        lookup = read_lookup(call.contract, call.payload)
        try:
            records = domain.answer(
                lookup, runtime.citizens.get_many, runtime.clock.local_now().date(), runtime.citizens.linked_to
            )
        except domain.RejectedLookup as exc:
            raise SoapFault("Client", f"GetPersonsForProfile refused: {exc}") from None
        found = sum(1 for r in records if len(r) > 1)
        call.notes.update(profile=lookup.profile, identities=len(lookup.ids), records_found=found)
        log.debug(
            "GetPersonsForProfile %s for %s: %d of %d found",
            lookup.profile,
            ",".join(mask(p.extension) for p in lookup.ids[:5]),
            found,
            len(lookup.ids),
        )
        return response(call.contract, records)

    return get_persons_for_profile
