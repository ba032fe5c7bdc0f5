"""Sending: one ``requests.Session`` per client (connection reuse), a timeout on every
call, optional TLS client certificate (the platform identifies a consumer by it), and
the answer parsed into the response element or a typed exception."""

from __future__ import annotations

import dataclasses

import requests
import urllib3
from lxml import etree

from contracts.bundle import Contract, secure_parser
from rivta.envelope import SOAP11_NS, envelope, http_headers
from rivta.faults import HttpError, NotConnected, SoapFault, Timeout, TransportError

_PARSER = secure_parser()


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where one interaction is served, and the logical address to put in the header."""

    contract: Contract
    url: str
    logical_address: str | None


class RivtaClient:
    """A consumer: ``consumer`` is its HSA-id (the ``x-rivta-original-serviceconsumer-hsaid``
    header); ``cert`` a client certificate (path to a PEM with the key, or (cert, key));
    ``verify`` the CA bundle for an https endpoint (True: the system's)."""

    def __init__(
        self,
        consumer: str | None,
        timeout: float = 30.0,
        *,
        cert: str | tuple[str, str] | None = None,
        verify: bool | str = True,
        session: requests.Session | None = None,
    ):
        self.consumer = consumer
        self.timeout = timeout
        self.session = session or requests.Session()
        if cert is not None:
            self.session.cert = cert
        self.session.verify = verify
        if isinstance(verify, str):
            self.session.trust_env = False  # else REQUESTS_CA_BUNDLE would override the CA given here

    def post(self, endpoint: Endpoint, body: bytes, soap_action: str | None = None) -> requests.Response:
        """POST prepared bytes (for a caller that must send something unusual); transport
        failures raise ``TransportError``/``Timeout``, any HTTP answer is returned."""
        interaction = endpoint.contract.interaction
        headers = http_headers(endpoint.contract, self.consumer, soap_action)
        try:
            return self.session.post(endpoint.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            if not_connected(exc):
                raise NotConnected(interaction, f"no connection ({type(exc).__name__})") from None
            if isinstance(exc, requests.Timeout):
                raise Timeout(interaction, f"no answer within {self.timeout} s") from None
            raise TransportError(interaction, type(exc).__name__) from None

    def call(self, endpoint: Endpoint, payload: etree._Element) -> etree._Element:
        """The response element of the contract, or a ``RivtaError``."""
        response = self.post(endpoint, envelope(payload, endpoint.logical_address))
        return parse_response(endpoint.contract, response.status_code, response.content)


class ConnectFailed(requests.ConnectionError):
    """What a session of its own (not urllib3's) raises when it could make no connection,
    so that :class:`RivtaClient` can tell "never sent" from "sent, answer lost"."""


def not_connected(exc: requests.RequestException) -> bool:
    """True if no connection was made, so no byte of the request left: requests'
    ``ConnectTimeout``, a :class:`ConnectFailed`, or urllib3's ``NewConnectionError``
    behind requests' ``ConnectionError`` (refused, unreachable). For REST deliveries
    beside SOAP (the paper outbox) as for :class:`RivtaClient`."""
    if isinstance(exc, (requests.ConnectTimeout, ConnectFailed)):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def parse_response(contract: Contract, status: int, body: bytes) -> etree._Element:
    """The contract's response element from an answer; ``SoapFault`` for a SOAP 1.1 Fault
    (whatever the HTTP status), ``HttpError`` for anything else that is not the answer."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        raise HttpError(contract.interaction, status, "not a SOAP answer") from None
    fault = root.find(f"{{{SOAP11_NS}}}Body/{{{SOAP11_NS}}}Fault")
    if fault is not None:
        code = (fault.findtext("faultcode") or "").strip()
        raise SoapFault(contract.interaction, status, code, (fault.findtext("faultstring") or "").strip())
    payload = root.find(f"{{{SOAP11_NS}}}Body/{contract.response_element}")
    if status != 200 or payload is None:
        raise HttpError(contract.interaction, status, f"without {contract.response_element}")
    return payload
