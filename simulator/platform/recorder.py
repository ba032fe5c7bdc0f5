"""The traffic recorder: an interceptor whose ``after`` turns every SOAP exchange into a
traffic row — including calls refused before any producer ran (bad envelope, schema
errors, VP faults) and calls a behaviour rule answered or broke.

Outcome: ok / info / error (resultCode), client_fault / server_fault (SOAP Fault from
the producer or the transport), platform_fault (VP code), http_error (non-SOAP status),
broken (connection reset, truncated or not well-formed answer).
Verdict: ``invalid`` when the request broke a contract rule (MC-xx) or failed before
the platform looked at it (envelope, SOAPAction, XSD), else ``valid``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from lxml import etree

from contracts.bundle import secure_parser
from simulator.platform.facts import facts_of
from simulator.platform.faults import PlatformFault
from simulator.platform.trafficstore import Exchange, TrafficStore
from simulator.soap.endpoint import CONSUMER_HEADER, Reply, SoapCall
from simulator.soap.envelope import SOAP11_NS
from simulator.storage.alarms import AlarmKind, Alarms
from simulator.storage.scope import failure_handler

log = logging.getLogger(__name__)

BROKEN = ("connection_reset", "truncated", "malformed")
_PARSER = secure_parser()
_FAULT, _BODY = f"{{{SOAP11_NS}}}Fault", f"{{{SOAP11_NS}}}Body"


def _answer(reply: Reply, sabotage: str | None) -> tuple[str, str | None, str | None, str | None]:
    """(outcome, fault_code, fault_text, result_code) of a reply. An answer a behaviour
    rule lost after the producer ran is "broken" for the consumer, but keeps what the
    producer answered (a tester sees that the AddMessage was stored, OK)."""
    if sabotage in BROKEN:
        return "broken", None, None, None
    outcome, fault_code, fault_text, result = _produced(reply)
    return ("broken" if sabotage == "answer_lost" else outcome), fault_code, fault_text, result


def _produced(reply: Reply) -> tuple[str, str | None, str | None, str | None]:
    if reply.fault is not None:
        if isinstance(reply.fault, PlatformFault):
            return "platform_fault", reply.fault.vp_code, reply.fault.text, None
        return (
            ("server_fault" if reply.fault.code == "Server" else "client_fault"),
            reply.fault.code,
            reply.fault.text,
            None,
        )
    if reply.status not in (200, 500):
        return "http_error", None, None, None
    root = reply.payload
    if root is None:  # a relayed answer: read it
        try:
            root = etree.fromstring(reply.body, _PARSER)
        except etree.XMLSyntaxError:
            return "broken", None, None, None
    fault = next(root.iterdescendants(_FAULT), None)  # (a ``.//`` find parses its path per call)
    if fault is not None:
        code = (fault.findtext("faultcode") or "").rpartition(":")[2]
        text = fault.findtext("faultstring")
        if text and text[:2] == "VP" and text[2:5].isdigit():
            return "platform_fault", text[:5], text, None
        return ("server_fault" if code == "Server" else "client_fault"), code, text, None
    result = result_code(root)
    outcome = {"INFO": "info", "ERROR": "error"}.get((result or "").strip(), "ok")
    return outcome, None, None, result


def result_code(root: etree._Element) -> str | None:
    """The answer's resultCode without a Python loop over the answer (a PU answer of 500
    records has thousands of elements and no resultCode at all): first as a child of the
    response element, where every contract served here has it, else by lxml's
    tag-filtered iterator, which walks in C."""
    for candidate in _holders(root):
        found = next(candidate.iterchildren("{*}resultCode"), None)  # (findtext parses a path per call)
        if found is not None:
            return found.text or ""
    found = next(root.iter("{*}resultCode"), None)
    return None if found is None else found.text


def _holders(root: etree._Element) -> Iterator[etree._Element]:
    """Where a resultCode may be a child, nearest first: the root, its children, the SOAP
    Body's children (of a relayed envelope); each only when the one before had none."""
    yield root
    yield from root.iterchildren(etree.Element)
    body = next(root.iterchildren(_BODY), None)
    if body is not None:
        yield from body.iterchildren(etree.Element)


class TrafficRecorder:
    def __init__(self, runtime, store: TrafficStore, alarms: Alarms):
        self.runtime = runtime
        self.store = store
        self.alarms = alarms

    def before(self, call: SoapCall):
        return None

    def after(self, call: SoapCall, reply: Reply) -> None:
        """Record the exchange; a record that cannot be written is an alarm (logged at
        ERROR, counted on /metrics), never a failed answer and never silent."""

        def lost(exc: BaseException) -> None:
            self.alarms.raise_alarm(
                AlarmKind.TRAFFIC_RECORD_LOST,
                f"{call.contract.interaction} answer (HTTP {reply.status}) not recorded",
                exc,
            )

        try:
            with failure_handler(lost):  # the row is written when the request commits (storage/scope.py)
                self._record(call, reply)
        except Exception as exc:
            lost(exc)

    def _record(self, call: SoapCall, reply: Reply) -> None:
        latency_ms = (time.perf_counter() - call.started) * 1000
        notes = call.notes
        facts = facts_of(call)
        outcome, fault_code, fault_text, result_code = _answer(reply, notes.get("platform.sabotage"))
        found = list(facts.rule_ids) + list(notes.get("rule_ids", ()))
        fault = reply.fault
        if fault is not None:
            found += list(fault.rule_ids)
        refused_early = "platform.gate" not in notes and fault is not None and fault.code != "Server"
        if refused_early and fault is not None and not fault.rule_ids:
            found.append("MC-01")  # not a SOAP 1.1 request of this contract at all
        rule_ids = tuple(dict.fromkeys(found))
        personnummer = notes.get("personnummer")
        self.store.record(
            Exchange(
                sim_time=self.runtime.clock.now(),
                real_time=self.runtime.clock.real_now(),
                contract=call.contract.interaction,
                http_status=reply.status,
                outcome=outcome,
                verdict="invalid" if rule_ids or refused_early else "valid",
                latency_ms=latency_ms,
                soap_action=call.soap_action,
                consumer=notes.get("platform.consumer", call.consumer),
                original_consumer=call.environ.get(CONSUMER_HEADER),
                logical_address=call.logical_address,
                personnummer=(personnummer,) if isinstance(personnummer, str) else facts.personnummer,
                business_object_id=notes.get("business_object_id", facts.business_object_id),
                source_system=facts.source_system,
                rule_ids=rule_ids,
                fault_code=fault_code,
                fault_text=fault_text,
                result_code=result_code,
                behaviour_id=notes.get("platform.behaviour"),
                route=notes.get("platform.route"),
                request_body=call.body.decode("utf-8", "replace") if call.body else None,
                response_body=reply.body.decode("utf-8", "replace") if reply.body else None,
            )
        )
