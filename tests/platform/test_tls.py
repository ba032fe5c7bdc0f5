"""Mutual TLS as NTjP does it, on a real ``kallelse serve --tls``: certificates from
``kallelse certs init``, the consumer identified by the client certificate's
serialNumber, connections without a trusted certificate refused, VP002 for a certificate
without serialNumber, VP013 for a sender that may not name an original consumer, zeep over
mTLS, and passthrough from a plain simulator to the TLS one with a client certificate."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
import zeep
from cryptography import x509
from cryptography.x509.oid import NameOID
from zeep.transports import Transport

from simulator.platform.certs import ThrowawayCA, consumer_files
from simulator.platform.cli import _real_now
from tests.inbox import wire
from tests.platform.support import (
    ADD_MESSAGE,
    CARE_SYSTEM,
    OTHER_SYSTEM,
    VP_ADDRESS,
    TlsSimulator,
    add_message,
    behaviour,
    fault,
    new_person,
    result_code,
    traffic,
    write_routing,
)
from tests.platform.test_vp_faults import logical_address_header
from tests.support import ROOT, SimulatorProcess

PLATFORM = "SE2321000016-NTJP"  # a platform that forwards for others

pytestmark = pytest.mark.slow  # real gunicorn processes serving mutual TLS


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "certs",
            "init",
            "--dir",
            str(folder),
            "--consumer",
            CARE_SYSTEM,
            "--consumer",
            OTHER_SYSTEM,
            "--consumer",
            PLATFORM,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def tls(tmp_path_factory, certs):
    folder = tmp_path_factory.mktemp("tls")
    routing = write_routing(
        folder,
        f"""
        [platform]
        original_consumer_senders = ["{PLATFORM}"]
        [[routes]]
        contract = "AddMessage"
        logical_address = "{VP_ADDRESS}"
        [[authorizations]]
        consumers = ["{CARE_SYSTEM}", "{PLATFORM}"]
        contract = "AddMessage"
        logical_address = "{VP_ADDRESS}"
    """,
    )
    server = TlsSimulator(
        folder / "sim", certs, consumer_files(certs, CARE_SYSTEM), extra_args=("--routing", str(routing))
    ).start()
    yield server
    server.stop()


def test_certs_init_writes_a_ca_a_server_and_consumer_certificates(certs):
    for name in ("ca.pem", "ca-key.pem", "server.pem", "server-key.pem"):
        assert (certs / name).is_file(), name
    cert = x509.load_pem_x509_certificate((certs / "consumers" / f"{CARE_SYSTEM}.pem").read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == CARE_SYSTEM
    server = x509.load_pem_x509_certificate((certs / "server.pem").read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert (certs / "consumers" / f"{CARE_SYSTEM}.p12").is_file()
    again = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "certs", "init", "--dir", str(certs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode != 0 and "--force" in again.stderr  # an existing CA is never overwritten silently


def test_a_trusted_client_certificate_is_accepted_and_names_the_consumer(tls):
    pnr = new_person(tls)
    response = add_message(tls.url, pnr, consumer=None, session=tls.session())
    assert result_code(response) == "OK"
    [record] = traffic(tls.url, session=tls.session(), personnummer=pnr)
    assert (record["consumer"], record["original_consumer"]) == (CARE_SYSTEM, None)
    wsdl = tls.session().get(f"{tls.url}{ADD_MESSAGE}?wsdl", timeout=10).text
    assert f'location="{tls.url}{ADD_MESSAGE}"' in wsdl


def test_connections_without_a_trusted_certificate_are_refused(tls, tmp_path):
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        requests.get(f"{tls.url}/api/health", verify=str(tls.certs / "ca.pem"), timeout=10)
    stranger = ThrowawayCA.create(tmp_path / "other-ca", _real_now())
    stranger.consumer(CARE_SYSTEM, _real_now())
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        tls.session(consumer_files(tmp_path / "other-ca", CARE_SYSTEM)).get(f"{tls.url}/api/health", timeout=10)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{tls.port}/api/health", timeout=10)
    assert tls.session().get(f"{tls.url}/api/health", timeout=10).status_code == 200


def test_vp002_for_a_certificate_without_serial_number(tls, certs):
    ThrowawayCA.load(certs).consumer(None, _real_now(), name="no-serial")
    session = tls.session(consumer_files(certs, "no-serial"))
    code, text = fault(add_message(tls.url, wire.new_pnr(), consumer=None, session=session))
    assert code == "soap:Client" and text.startswith("VP002 [kallelse-testbed] Fel i klientcertifikat")
    assert "No senderId found in Certificate: C=SE, O=Kallelse Testbed, CN=Test consumer no-serial" in text


def test_the_certificate_not_the_header_is_authorized(tls, certs):
    other = tls.session(consumer_files(certs, OTHER_SYSTEM))
    code, text = fault(add_message(tls.url, wire.new_pnr(), consumer=None, session=other))
    assert text.startswith("VP007") and f"senderId: {OTHER_SYSTEM}" in text
    # naming an authorized consumer in the header does not help: only approved senders may
    code, text = fault(add_message(tls.url, wire.new_pnr(), consumer=CARE_SYSTEM, session=other))
    assert code == "soap:Client" and text.startswith("VP013 [kallelse-testbed] ")


def test_an_approved_sender_forwards_for_the_original_consumer(tls, certs):
    pnr = new_person(tls)
    platform = tls.session(consumer_files(certs, PLATFORM))
    assert result_code(add_message(tls.url, pnr, consumer=CARE_SYSTEM, session=platform)) == "OK"
    [record] = traffic(tls.url, session=platform, personnummer=pnr)
    assert (record["consumer"], record["original_consumer"]) == (PLATFORM, CARE_SYSTEM)


def test_zeep_over_mutual_tls(tls):
    pnr = new_person(tls)
    client = zeep.Client(f"{tls.url}{ADD_MESSAGE}?wsdl", transport=Transport(session=tls.session(), timeout=30))
    result = client.service.AddMessage(
        subjectOfCareId=pnr,
        message={"msg": "<article><para>TLS</para></article>"},
        notify=False,
        _soapheaders=[logical_address_header(VP_ADDRESS)],
    )
    assert result.resultCode == "OK", result.resultText


@pytest.fixture(scope="module")
def downstream(tmp_path_factory, tls, certs):
    """A plain simulator whose routing sends AddMessage at SE-UPSTREAM on to the TLS one,
    presenting the platform's client certificate."""
    folder = tmp_path_factory.mktemp("downstream")
    cert, key = consumer_files(certs, PLATFORM)
    upstream = f"{tls.url}{ADD_MESSAGE}"
    routing = write_routing(
        folder,
        f"""
        [[routes]]
        contract = "AddMessage"
        logical_addresses = ["{VP_ADDRESS}", "SE-UPSTREAM-UNROUTED"]
        upstream = "{upstream}"
        client_cert = "{cert}"
        client_key = "{key}"
        ca = "{certs / "ca.pem"}"
        timeout = 2
        [[authorizations]]
        consumer = "{CARE_SYSTEM}"
        contract = "*"
        logical_address = "*"
    """,
    )
    server = SimulatorProcess(folder / "sim", extra_args=("--routing", str(routing))).start()
    yield server
    server.stop()


def test_passthrough_to_an_upstream_over_mutual_tls(downstream, tls):
    pnr = new_person(tls)  # the person lives upstream
    response = add_message(downstream.url, pnr, business_object_id="BO-PASS-1")
    assert result_code(response) == "OK"
    assert len(wire.inbox_store(tls).messages_for(pnr)) == 1
    assert wire.inbox_store(downstream).messages_for(pnr) == []
    [mine] = traffic(downstream.url, personnummer=pnr, bodies="true")
    assert (mine["route"], mine["outcome"], mine["consumer"]) == (f"{tls.url}{ADD_MESSAGE}", "ok", CARE_SYSTEM)
    assert mine["response_body"] == response.text
    [theirs] = traffic(tls.url, session=tls.session(), personnummer=pnr)
    assert (theirs["consumer"], theirs["original_consumer"]) == (PLATFORM, CARE_SYSTEM)


def test_passthrough_relays_the_upstreams_faults_and_times_out(downstream, tls):
    pnr = new_person(tls)
    code, text = fault(add_message(downstream.url, pnr, logical_address="SE-UPSTREAM-UNROUTED"))
    assert text.startswith("VP004 [kallelse-testbed] ")  # answered by the upstream platform, relayed
    assert traffic(downstream.url, personnummer=pnr)[0]["fault_code"] == "VP004"
    rule = (
        tls.session()
        .post(
            f"{tls.url}/api/behaviours",
            timeout=10,
            json={"match": {"personnummer": pnr}, "action": {"type": "delay", "ms": 4000}, "times": 1},
        )
        .json()
    )
    code, text = fault(add_message(downstream.url, pnr))
    assert code == "soap:Server" and text.startswith("VP009") and "Timeout when waiting on response" in text
    tls.session().delete(f"{tls.url}/api/behaviours/{rule['id']}", timeout=10)


def test_behaviours_still_apply_on_a_passthrough_route(downstream, tls):
    pnr = new_person(tls)
    behaviour(
        downstream.url,
        {
            "match": {"personnummer": pnr},
            "times": 1,
            "action": {"type": "soap_fault", "code": "Server", "text": "before upstream"},
        },
    )
    assert fault(add_message(downstream.url, pnr))[1] == "before upstream"
    assert wire.inbox_store(tls).messages_for(pnr) == []
    assert result_code(add_message(downstream.url, pnr)) == "OK"
