"""The one RIVTA BP 2.1 client library of the repository: how a care system (the dispatch
core, the trainer demo, the load generators, the tests) speaks SOAP to the platform.

Contracts are data: namespaces, element names, SOAPActions and response elements come from
``contracts.bundle``; nothing here restates a contract. The package depends on ``contracts``,
lxml and requests only (an import-linter contract)."""

from rivta.client import ConnectFailed, Endpoint, RivtaClient, not_connected, parse_response
from rivta.envelope import (
    CONSUMER_HEADER,
    LOGICAL_ADDRESS,
    REGISTRY_NS,
    SOAP11_NS,
    envelope,
    http_headers,
    logical_address_header,
)
from rivta.faults import HttpError, NotConnected, RivtaError, SoapFault, Timeout, TransportError
from rivta.messages import Kallelse, add_message, get_message_status, get_persons_for_profile, get_user_profile
from rivta.payload import Result, build, local_bool, local_find, local_text, result

__all__ = [
    "CONSUMER_HEADER",
    "ConnectFailed",
    "LOGICAL_ADDRESS",
    "REGISTRY_NS",
    "SOAP11_NS",
    "Endpoint",
    "HttpError",
    "Kallelse",
    "NotConnected",
    "Result",
    "RivtaClient",
    "RivtaError",
    "SoapFault",
    "Timeout",
    "TransportError",
    "add_message",
    "build",
    "envelope",
    "get_message_status",
    "get_persons_for_profile",
    "get_user_profile",
    "http_headers",
    "local_bool",
    "local_find",
    "local_text",
    "not_connected",
    "logical_address_header",
    "parse_response",
    "result",
]
