"""The platform gate: the interceptor every SOAP call passes before a producer runs.

In NTjP's order it identifies the consumer (client certificate, VP002/VP013), checks the
LogicalAddress (VP003), finds the route (VP004) and the authorization (VP007); then it
lets the first matching behaviour rule act, and finally either lets the built-in
producer answer (returns None) or forwards the call upstream (passthrough).
"""

from __future__ import annotations

import logging
import time
import uuid

from simulator.platform import responses
from simulator.platform.behaviours import Facts, Rule
from simulator.platform.delayslots import DelaySlots
from simulator.platform.facts import facts_of
from simulator.platform.faults import PlatformFault
from simulator.platform.passthrough import Upstream
from simulator.platform.routing import ConfigError, Rejection, RoutingTable, default_table, parse
from simulator.platform.store import PlatformStore
from simulator.soap import envelope as soap
from simulator.soap.endpoint import CONSUMER_HEADER, Reply, SoapCall, fault_reply

log = logging.getLogger(__name__)

TLS = "kallelse.tls"  # set by simulator.platform.wsgi when the socket is TLS
TLS_CONSUMER = "kallelse.tls_consumer"  # the client certificate's subject serialNumber
TLS_SUBJECT = "kallelse.tls_subject"
SABOTAGE = "kallelse.sabotage"  # read by simulator.platform.wsgi after the reply


class PlatformView:
    """This process's copy of the routing table and rules, refreshed when the shared
    generation counter says another process (or the control API) changed them."""

    def __init__(self, store: PlatformStore, known_contracts: set[str]):
        self.store = store
        self.known = known_contracts
        self.generation: int | None = None
        self.table: RoutingTable = default_table()
        self.rules: list[Rule] = []

    def current(self) -> tuple[RoutingTable, list[Rule]]:
        generation = self.store.generation()
        if generation != self.generation:
            path, source = self.store.routing()
            try:
                self.table = parse(source, self.known, path) if source else default_table()
            except ConfigError as exc:  # stored by a server with other contracts: keep ours
                log.error("routing file %s no longer fits this server (%s); keeping the table in force", path, exc)
            self.rules = self.store.rules()
            self.generation = generation
        return self.table, self.rules


def identify(environ: dict, table: RoutingTable) -> tuple[str | None, str | None]:
    """(the consumer the platform authorizes, the original consumer it forwards).

    Over mutual TLS the authorized consumer is the certificate's serialNumber, as in NTjP;
    x-rivta-original-serviceconsumer-hsaid then only names the original consumer behind
    an approved sender (VP013). Over plain HTTP the header is the test bed's stand-in for
    the certificate."""
    header = (environ.get(CONSUMER_HEADER) or "").strip() or None
    if not environ.get(TLS):
        return header, header
    sender = environ.get(TLS_CONSUMER)
    if not sender:
        raise PlatformFault("VP002", table.instance, f"No senderId found in Certificate: {environ.get(TLS_SUBJECT)}")
    if header and header != sender and not table.may_set_original_consumer(sender):
        raise PlatformFault("VP013", table.instance, f"senderId: {sender}, original consumer: {header}")
    return sender, header or sender


class PlatformGate:
    def __init__(
        self, view: PlatformView, store: PlatformStore, upstream: Upstream, slots: DelaySlots, sleep=time.sleep
    ):
        self.view = view
        self.store = store
        self.upstream = upstream
        self.slots = slots
        self.sleep = sleep

    def before(self, call: SoapCall) -> Reply | None:
        call.notes["platform.gate"] = True
        try:
            table, rules = self.view.current()
            return self._pass(call, table, rules)
        except PlatformFault as fault:
            return Reply(500, fault.body(), fault=fault)
        except soap.SoapFault as fault:
            return fault_reply(fault)
        except Exception:
            ref = uuid.uuid4().hex[:12]
            log.exception("platform gate failed on %s (ref %s)", call.contract.interaction, ref)
            return fault_reply(soap.SoapFault("Server", f"Internal error in the service platform (ref {ref})"))

    def after(self, call: SoapCall, reply: Reply) -> None:
        pass

    def _pass(self, call: SoapCall, table: RoutingTable, rules: list[Rule]) -> Reply | None:
        consumer, original = identify(call.environ, table)
        call.notes["platform.consumer"] = consumer
        contract = call.contract
        route = table.decide(contract.interaction, contract.responder_namespace, call.logical_address, consumer)
        if isinstance(route, Rejection):
            raise PlatformFault(route.code, table.instance, route.detail)
        upstream = route.upstream if route is not None else None
        call.notes["platform.route"] = upstream or "builtin"
        timeout = (route.timeout if route else None) or table.producer_timeout
        rule = self._fire(call, rules, consumer)
        if rule is not None:
            where = upstream or call.environ.get("PATH_INFO") or ""
            timeout -= self._wait(rule, timeout, where, table.instance)
            reply = self._act(call, rule, table.instance)
            if reply is not None:
                return reply
        if route is not None and upstream:
            return self.upstream.forward(call, route, timeout, table.instance, original)
        return None

    def _fire(self, call: SoapCall, rules: list[Rule], consumer: str | None) -> Rule | None:
        """The first matching rule that wins its probability draw and still has firings."""
        if not rules:
            return None
        facts = facts_of(call)
        wanted = Facts(
            call.contract.interaction,
            call.logical_address,
            consumer,
            facts.personnummer,
            facts.source_system,
            facts.business_object_id,
        )
        for rule in rules:
            if rule.remaining == 0 or not rule.matches(wanted) or not rule.chosen():
                continue
            if rule.id is not None and self.store.claim(rule.id):
                call.notes["platform.behaviour"] = rule.id
                return rule
            rule.remaining = 0  # used up (or deleted) by another call; stop asking
        return None

    def _wait(self, rule: Rule, timeout: float, address: str, instance: str) -> float:
        """Sleep the rule's delay; past the producer timeout NTjP gives up with VP009.
        Only ``slots.count`` calls sleep at once (delayslots.py); one more is answered at
        once with a Server fault naming the limit, so delays never starve the workers."""
        delay = rule.delay_seconds()
        if delay <= 0:
            return 0.0
        with self.slots.slot() as free:
            if not free:
                raise soap.SoapFault(
                    "Server",
                    f"Behaviour rule {rule.id}: delay refused, all {self.slots.count} delay slot(s) are busy "
                    "(KALLELSE_DELAY_SHARE of the server's workers); the producer was not called",
                )
            if delay > timeout:
                self.sleep(timeout)
                raise PlatformFault("VP009", instance, f"{address}. Timeout when waiting on response from producer.")
            self.sleep(delay)
        return delay

    def _act(self, call: SoapCall, rule: Rule, instance: str) -> Reply | None:
        action, kind, contract = rule.action, rule.kind, call.contract
        if kind == "delay":
            return None
        if kind == "answer_lost":  # the producer answers; the WSGI wrapper resets instead
            call.notes["platform.sabotage"] = kind
            call.environ[SABOTAGE] = kind
            return None
        if kind == "soap_fault":
            return fault_reply(soap.SoapFault(action["code"], action["text"]))
        if kind == "platform_fault":
            raise PlatformFault(action["code"], instance, action["detail"])
        if kind == "http_status":
            return Reply(action["status"], action["body"].encode("utf-8"), content_type=action["content_type"])
        if kind == "result_code":
            try:
                payload = responses.result_response(contract, action["code"], action["text"])
            except responses.Unsupported as exc:
                return fault_reply(soap.SoapFault("Server", f"Behaviour rule {rule.id} cannot answer: {exc}"))
            return Reply(200, soap.response(payload), payload=payload)
        body = responses.sample_body(contract)
        call.notes["platform.sabotage"] = kind
        if kind == "malformed":
            return Reply(200, body[: len(body) * 2 // 3])
        call.environ[SABOTAGE] = kind  # connection_reset / truncated: done by the WSGI wrapper
        return Reply(200, body, sabotage=kind)
