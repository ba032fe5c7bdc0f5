"""The RIVTA client library over real HTTP: against a running simulator (an answer, a VP
fault of the platform, a logical ERROR), against a small local server (one connection
reused for many calls, a timeout) and a closed port; and, over mutual TLS, with a client
certificate that identifies the consumer."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import rivta
from contracts.bundle import builtin_bundle

BUNDLE = builtin_bundle()
CONSUMER = "SE2321000016-RIVTA"
TOLVAN = "191212121212"


def endpoint(base: str, interaction: str, prefix: str, logical_address: str | None = "SE2321000016-MVK"):
    contract = BUNDLE[interaction]
    return rivta.Endpoint(
        contract, f"{base}/{prefix}/{interaction}/{contract.major_version}/rivtabp21", logical_address
    )


def test_a_call_answers_the_contracts_response(simulator):
    client = rivta.RivtaClient(CONSUMER, timeout=30)
    kallelse = rivta.Kallelse(
        TOLVAN,
        "<article><para>Hej</para></article>",
        business_object_id="rivta:1",
        header="Hej",
        source_system=CONSUMER,
    )
    answer = client.call(
        endpoint(simulator.url, "AddMessage", "inbox"), rivta.add_message(BUNDLE["AddMessage"], kallelse)
    )
    assert rivta.result(answer).code == "OK", rivta.result(answer)
    status = client.call(
        endpoint(simulator.url, "GetMessageStatus", "inbox"),
        rivta.get_message_status(BUNDLE["GetMessageStatus"], TOLVAN, "rivta:1"),
    )
    assert len(status.findall("{*}message")) == 1


def test_a_logical_error_is_a_result_not_an_exception(simulator):
    client = rivta.RivtaClient(CONSUMER, timeout=30)
    answer = client.call(
        endpoint(simulator.url, "GetMessageStatus", "inbox"),
        rivta.get_message_status(BUNDLE["GetMessageStatus"], "191212121213", "x"),  # wrong check digit
    )
    assert rivta.result(answer).code == "ERROR"


def test_a_missing_logical_address_is_the_platforms_vp003(simulator):
    client = rivta.RivtaClient(CONSUMER, timeout=30)
    with pytest.raises(rivta.SoapFault) as caught:
        client.call(
            endpoint(simulator.url, "GetUserProfile", "userprofile", logical_address=None),
            rivta.get_user_profile(BUNDLE["GetUserProfile"], TOLVAN),
        )
    assert caught.value.vp_code == "VP003" and caught.value.code == "Client"


class _Canned(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real producer
    delay = 0.0
    peers: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).peers.append(self.client_address)
        time.sleep(type(self).delay)
        contract = BUNDLE["GetUserProfile"]
        body = rivta.envelope(
            f'<GetUserProfileResponse xmlns="{contract.responder_namespace}"><resultCode>OK</resultCode>'
            "</GetUserProfileResponse>",
            None,
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def canned():
    _Canned.peers, _Canned.delay = [], 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_one_connection_is_reused_for_many_calls(canned):
    client = rivta.RivtaClient(CONSUMER, timeout=10)
    target = rivta.Endpoint(BUNDLE["GetUserProfile"], canned + "/up", "X")
    for _ in range(5):
        assert rivta.result(client.call(target, rivta.get_user_profile(BUNDLE["GetUserProfile"], TOLVAN))).code == "OK"
    assert len(_Canned.peers) == 5 and len(set(_Canned.peers)) == 1


def test_no_answer_in_time_is_a_timeout(canned):
    _Canned.delay = 2.0
    client = rivta.RivtaClient(CONSUMER, timeout=0.3)
    with pytest.raises(rivta.Timeout) as caught:
        client.call(
            rivta.Endpoint(BUNDLE["GetUserProfile"], canned, "X"),
            rivta.get_user_profile(BUNDLE["GetUserProfile"], TOLVAN),
        )
    assert isinstance(caught.value, rivta.TransportError) and "0.3" in caught.value.reason
    assert caught.value.may_have_arrived  # the request left: the service may have acted on it


def test_a_closed_port_is_a_transport_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = rivta.RivtaClient(CONSUMER, timeout=5)
    with pytest.raises(rivta.TransportError) as caught:
        client.call(
            rivta.Endpoint(BUNDLE["GetUserProfile"], f"http://127.0.0.1:{port}/x", "X"),
            rivta.get_user_profile(BUNDLE["GetUserProfile"], TOLVAN),
        )
    assert not isinstance(caught.value, rivta.Timeout)
    assert isinstance(caught.value, rivta.NotConnected) and not caught.value.may_have_arrived
