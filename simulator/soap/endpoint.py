"""One SOAP endpoint as a plain WSGI callable: the hot path (read body, parse, check
SOAPAction and element, validate, call the producer, serialize) without a web framework.

Interceptors are the extension point for the platform layer (routing, authorization,
behaviour rules, traffic recording): ``before(call)`` may answer instead of the producer
by returning a :class:`Reply`; ``after(call, reply)`` sees every reply.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Protocol

from lxml import etree

from contracts.bundle import Contract
from simulator.soap import envelope as soap
from simulator.soap.validation import validate
from simulator.soap.wsdl import serve_wsdl
from simulator.storage import scope
from simulator.storage.scope import request_scope

log = logging.getLogger(__name__)

CONSUMER_HEADER = "HTTP_X_RIVTA_ORIGINAL_SERVICECONSUMER_HSAID"
MAX_BODY = 10 * 1024 * 1024


@dataclasses.dataclass
class SoapCall:
    """Everything known about one request; producers and interceptors read it."""

    contract: Contract
    environ: dict
    body: bytes = b""
    envelope: soap.Envelope | None = None
    started: float = dataclasses.field(default_factory=time.perf_counter)
    notes: dict = dataclasses.field(default_factory=dict)

    @property
    def payload(self) -> etree._Element:
        assert self.envelope is not None, "the envelope is parsed before anything reads the payload"
        return self.envelope.payload

    @property
    def logical_address(self) -> str | None:
        return self.envelope.logical_address if self.envelope else None

    @property
    def consumer(self) -> str | None:
        return self.environ.get(CONSUMER_HEADER) or self.environ.get("kallelse.tls_consumer")

    @property
    def soap_action(self) -> str | None:
        value = self.environ.get("HTTP_SOAPACTION")
        return None if value is None else value.strip().strip('"')


@dataclasses.dataclass
class Reply:
    status: int
    body: bytes
    fault: soap.SoapFault | None = None
    payload: etree._Element | None = None
    content_type: str = "text/xml; charset=utf-8"
    # Set by behaviour rules that break the HTTP exchange on purpose.
    sabotage: str | None = None


class Interceptor(Protocol):
    def before(self, call: SoapCall) -> Reply | None: ...
    def after(self, call: SoapCall, reply: Reply) -> None: ...


@dataclasses.dataclass(frozen=True)
class TextAnswer:
    """A response element the producer wrote as UTF-8 text (no XML declaration), sent
    as is: parsing and serializing again the 500 records of a PU answer was a third of
    its CPU. ``outline``: the response element with what interceptors read (resultCode,
    if the contract has one) and without the bulk, for :attr:`Reply.payload`."""

    text: bytes
    outline: etree._Element


Producer = Callable[[SoapCall], etree._Element | TextAnswer]


def parts_answer(contract: Contract, parts: list[soap.Part], result_code: str) -> TextAnswer | etree._Element:
    """A producer's response element made of ``parts`` (:data:`~simulator.soap.envelope.Part`):
    written as the text lxml would write for it, with an outline holding ``result_code``
    for the traffic recorder; or, when a value is one lxml writes otherwise, built as the
    tree (the same bytes either way)."""
    responder, core = contract.responder_namespace, contract.core_namespace
    text = soap.written_element(contract.response_element, responder, core, parts)
    if text is None:
        return soap.grown_element(contract.response_element, responder, core, parts)
    outline = etree.Element(contract.response_element)
    etree.SubElement(outline, f"{{{responder}}}resultCode").text = result_code
    return TextAnswer(text, outline)


def fault_reply(fault: soap.SoapFault) -> Reply:
    return Reply(500, soap.fault(fault.code, fault.text), fault=fault)


def server_fault(where: str) -> Reply:
    """A real simulator failure: logged with its traceback under a reference the Server
    fault names, so a vendor can quote it and we can find it."""
    ref = str(uuid.uuid4())  # a log id, a UUID as TKB PU 4.3.1.2 recommends
    log.exception("%s failed (ref %s)", where, ref)
    return fault_reply(soap.SoapFault("Server", f"Internal error in the simulator (ref {ref})"))


class SoapEndpoint:
    def __init__(
        self, path: str, contract: Contract, producer: Producer, interceptors: list[Interceptor] | None = None
    ):
        self.path = path
        self.contract = contract
        self.producer = producer
        self.interceptors = interceptors if interceptors is not None else []

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method == "GET" and environ.get("QUERY_STRING", "").lower() in ("wsdl", "wsdl="):
            body = serve_wsdl(self.contract, environ, self.path)
            start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        if method != "POST":
            body = soap.fault("Client", f"Use HTTP POST with a SOAP 1.1 envelope, or GET {self.path}?wsdl")
            start_response(
                "405 Method Not Allowed", [("Content-Type", "text/xml; charset=utf-8"), ("Allow", "GET, POST")]
            )
            return [body]
        call = SoapCall(self.contract, environ)
        with request_scope():  # shared state (the clock) is read once per request
            reply = self.handle(call)
        return self.respond(reply, start_response)

    def handle(self, call: SoapCall) -> Reply:
        """Every request gets a SOAP answer and is recorded (``after``), whatever its
        bytes: a failure of the simulator itself becomes a Server fault with a reference."""
        try:
            reply = self.process(call)
        except Exception:
            scope.rollback()
            reply = server_fault(f"SOAP endpoint {self.contract.interaction}")
        self.after(call, reply)
        try:
            scope.commit()  # the request's one commit: stored before the answer leaves
        except Exception:
            reply = server_fault(f"commit of {self.contract.interaction}")
            self.after(call, reply)  # record the failure in a transaction of its own
            try:
                scope.commit()
            except Exception:
                log.exception("recording the failed commit of %s failed too", self.contract.interaction)
        return reply

    def process(self, call: SoapCall) -> Reply:
        """Platform first, producer second, as on NTjP: the platform only needs the
        envelope (LogicalAddress, consumer) to route and authorize, so a call that is
        both unroutable and schema-invalid gets the VP fault; checking SOAPAction and
        validating the body is the producer's part, skipped when the platform answers
        (refusal, behaviour rule, passthrough to an upstream that validates itself)."""
        try:
            call.body = read_body(call.environ)
            call.envelope = soap.parse_request(call.body)
        except soap.SoapFault as fault:
            return fault_reply(fault)
        for interceptor in self.interceptors:
            reply = interceptor.before(call)
            if reply is not None:
                return reply
        try:
            self.check_operation(call)
            validate(self.contract.schema, call.payload)
        except soap.SoapFault as fault:
            return fault_reply(fault)
        return self.produce(call)

    def produce(self, call: SoapCall) -> Reply:
        try:
            payload = self.producer(call)
        except soap.SoapFault as fault:
            scope.rollback()  # nothing of a refused request is stored
            return fault_reply(fault)
        except Exception:
            scope.rollback()
            return server_fault(f"producer {self.contract.interaction}")
        if isinstance(payload, TextAnswer):
            return Reply(200, soap.response_text(payload.text), payload=payload.outline)
        return Reply(200, soap.response(payload), payload=payload)

    def after(self, call: SoapCall, reply: Reply) -> None:
        for interceptor in self.interceptors:
            try:
                interceptor.after(call, reply)
            except Exception:
                log.exception("interceptor %s failed after %s", type(interceptor).__name__, self.contract.interaction)

    def check_operation(self, call: SoapCall) -> None:
        expected = self.contract.soap_action
        if call.soap_action != expected:
            got = "no SOAPAction header" if call.soap_action is None else f"SOAPAction {call.soap_action!r}"
            raise soap.SoapFault("Client", f"Wrong SOAPAction: expected {expected!r}, got {got}")
        if call.payload.tag != self.contract.request_element:
            raise soap.SoapFault(
                "Client",
                f"Unexpected request element {call.payload.tag}: this endpoint accepts {self.contract.request_element}",
            )

    @staticmethod
    def respond(reply: Reply, start_response):
        status = f"{reply.status} {_reason(reply.status)}"
        start_response(status, [("Content-Type", reply.content_type), ("Content-Length", str(len(reply.body)))])
        return [reply.body]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def read_body(environ) -> bytes:
    """The request body, by Content-Length or, for clients that stream (CXF chunks bodies
    over 4 KB by default, Mule always does), by ``Transfer-Encoding: chunked``: the
    server has already decoded the chunks, so the stream is read to its end, never past
    the size limit."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return _read_to_end(environ["wsgi.input"])
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise soap.SoapFault("Client", "Invalid Content-Length header") from None
    if length > MAX_BODY:
        raise soap.SoapFault("Client", f"Request body of {length} bytes exceeds the limit of {MAX_BODY}")
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _read_to_end(stream) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        part = stream.read(65536)
        if not part:
            return b"".join(parts)
        size += len(part)
        if size > MAX_BODY:
            raise soap.SoapFault("Client", f"Chunked request body exceeds the limit of {MAX_BODY} bytes")
        parts.append(part)
