"""The library's TLS client certificate on a real ``kallelse serve --tls``: the platform
identifies the consumer by the certificate, so a call with it is answered and one
without it never reaches a producer."""

from __future__ import annotations

import subprocess
import sys

import pytest

import rivta
from contracts.bundle import builtin_bundle
from simulator.platform.certs import consumer_files
from tests.platform.support import CARE_SYSTEM, VP_ADDRESS, TlsSimulator, new_person, write_routing
from tests.support import ROOT

pytestmark = pytest.mark.slow
BUNDLE = builtin_bundle()


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    certs = tmp_path_factory.mktemp("certs")
    made = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "certs", "init", "--dir", str(certs), "--consumer", CARE_SYSTEM],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    folder = tmp_path_factory.mktemp("tls")
    routing = write_routing(
        folder,
        f"""
        [[routes]]
        contract = "AddMessage"
        logical_address = "{VP_ADDRESS}"
        [[authorizations]]
        consumers = ["{CARE_SYSTEM}"]
        contract = "AddMessage"
        logical_address = "{VP_ADDRESS}"
    """,
    )
    server = TlsSimulator(
        folder / "sim", certs, consumer_files(certs, CARE_SYSTEM), extra_args=("--routing", str(routing))
    ).start()
    yield server
    server.stop()


def add_message(client: rivta.RivtaClient, url: str, pnr: str):
    contract = BUNDLE["AddMessage"]
    target = rivta.Endpoint(contract, f"{url}/inbox/AddMessage/2/rivtabp21", VP_ADDRESS)
    return client.call(
        target,
        rivta.add_message(
            contract,
            rivta.Kallelse(pnr, "<article><para>Hej</para></article>", business_object_id="tls:1", notify=False),
        ),
    )


def test_a_client_certificate_identifies_the_consumer(tls):
    pnr = new_person(tls)
    client = rivta.RivtaClient(None, cert=consumer_files(tls.certs, CARE_SYSTEM), verify=str(tls.certs / "ca.pem"))
    assert rivta.result(add_message(client, tls.url, pnr)).code == "OK"


def test_without_a_certificate_the_call_fails_in_transport(tls):
    client = rivta.RivtaClient(None, timeout=10, verify=str(tls.certs / "ca.pem"))
    with pytest.raises(rivta.TransportError):
        add_message(client, tls.url, new_person(tls))
