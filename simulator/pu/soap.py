"""GetPersonsForProfile on the wire: request payload in, :mod:`simulator.pu.domain`
answer out as the contract's response element.

Namespaces come from the contract: the responder namespace from the WSDL, the domain
schema's namespace (``...persons:person:5``, where IIType and PersonRecordType live) from
the responder XSD's import. Elements of the responder types are in the responder
namespace, everything inside a domain type in the domain namespace."""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from lxml import etree

from contracts.bundle import Contract, secure_parser
from simulator.population.personnummer import mask
from simulator.pu import domain, records
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


_PARSER = secure_parser()
QUOTE = {'"': "&quot;"}


def _write(parts: list[str], prefix: str, nodes: list[domain.Node]) -> None:
    """The nodes as XML text (``prefix`` is the domain namespace's prefix): one string per
    element instead of one lxml call per element (12,000 elements for 500 records)."""
    for name, value in nodes:
        if type(value) is list:
            parts.append(f"<{prefix}{name}>")
            _write(parts, prefix, value)
            parts.append(f"</{prefix}{name}>")
        elif value is True or value is False:
            parts.append(f"<{prefix}{name}>{'true' if value else 'false'}</{prefix}{name}>")
        else:
            parts.append(f"<{prefix}{name}>{escape(str(value))}</{prefix}{name}>")


def response(contract: Contract, records: list[list[domain.Node]]) -> etree._Element:
    """The response element: written as text in the contract's namespaces and parsed once
    (lxml parses in C; building it element by element was a third of a 500-identity call)."""
    responder, core = contract.responder_namespace, contract.core_namespace
    local = contract.response_element.rpartition("}")[2]
    parts = [f'<{local} xmlns="{escape(responder, QUOTE)}" xmlns:core="{escape(core, QUOTE)}">']
    for record in records:
        parts.append("<requestedPersonRecord>")
        _write(parts, "core:", record)
        parts.append("</requestedPersonRecord>")
    parts.append(f"</{local}>")
    return etree.fromstring("".join(parts).encode("utf-8"), _PARSER)


def response_of(contract: Contract, answer: records.Answer) -> etree._Element:
    responder, core = contract.responder_namespace, contract.core_namespace
    local = contract.response_element.rpartition("}")[2]
    head = f'<{local} xmlns="{escape(responder, QUOTE)}" xmlns:core="{escape(core, QUOTE)}">'
    text = "".join([head, *answer.records, f"</{local}>"])
    return etree.fromstring(text.encode("utf-8"), _PARSER)


def producer(runtime):
    def get_persons_for_profile(call) -> etree._Element:
        lookup = read_lookup(call.contract, call.payload)
        try:
            answer = records.answer(
                lookup, runtime.citizens.stored_many, runtime.clock.local_now().date(), runtime.citizens.linked_to
            )
        except domain.RejectedLookup as exc:
            raise SoapFault("Client", f"GetPersonsForProfile refused: {exc}") from None
        found = answer.found
        call.notes.update(profile=lookup.profile, identities=len(lookup.ids), records_found=found)
        log.debug(
            "GetPersonsForProfile %s for %s: %d of %d found",
            lookup.profile,
            ",".join(mask(p.extension) for p in lookup.ids[:5]),
            found,
            len(lookup.ids),
        )
        return response_of(call.contract, answer)

    return get_persons_for_profile
