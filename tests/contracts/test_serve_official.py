"""``kallelse serve --contracts OFFICIAL``: the simulator serves and validates with the
official files instead of ours, with the ^...$ pattern correction applied on load (and
logged), and a real SOAP client (zeep) works from the served WSDL."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests
from lxml import etree

import rivta
from contracts.bundle import builtin_bundle
from tests.support import InProcessSimulator, SimulatorProcess

WSDL_NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
    "xs": "http://www.w3.org/2001/XMLSchema",
}
ADD_MESSAGE_PATH = "/inbox/AddMessage/2/rivtabp21"
TOLVAN = "191212121212"  # seeded demo person with an active 1177 account
LOGICAL_ADDRESS = "SE2321000016-MVK"
CONSUMER = "SE2321000065-7331"
CORRECTION_LOG = "removed literal ^...$ anchors"


@pytest.fixture(scope="module")
def server(official, tmp_path_factory):
    sim = InProcessSimulator(tmp_path_factory.mktemp("sim-official"), contracts=official).start()
    yield sim
    sim.stop()


def fetch(url: str) -> bytes:
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("text/xml")
    return answer.content


def same_lines_except(served: bytes, original: bytes, *skipped: str) -> list[str]:
    """Lines of the file on disk missing from what was served, ignoring the rewritten ones."""
    text = served.decode("utf-8")
    return [
        line
        for line in original.decode("utf-8").splitlines()
        if line.strip() and not any(s in line for s in skipped) and line.strip() not in text
    ]


@pytest.mark.parametrize(
    "path, wsdl_file",
    [
        (ADD_MESSAGE_PATH, "TD_INBOX_2_0/schemas/interactions/AddMessage/AddMessageInteraction_2.0_RIVTABP21.wsdl"),
        (
            "/userprofile/GetUserProfile/2/rivtabp21",
            "TD_USERPROFILE_2_0/schemas/interactions/GetUserProfile/GetUserProfileInteraction_2.0_RIVTABP21.wsdl",
        ),
    ],
)
def test_the_official_wsdl_is_served_with_its_address_and_resolvable_imports(server, official, path, wsdl_file):
    url = server.url + path
    served = fetch(url + "?wsdl")
    assert same_lines_except(served, (official / wsdl_file).read_bytes(), "location=", "schemaLocation=") == []
    wsdl = etree.fromstring(served)
    assert wsdl.find("wsdl:service/wsdl:port/soap:address", WSDL_NS).get("location") == url

    # WSDL -> responder XSD -> core XSD, each import resolved over HTTP.
    (imported,) = wsdl.findall("wsdl:types/xs:schema/xs:import", WSDL_NS)
    responder_url = imported.get("schemaLocation")
    assert responder_url.startswith(f"{server.url}/contracts/")
    responder = etree.fromstring(fetch(responder_url))
    (core_import,) = responder.findall("xs:import", WSDL_NS)
    core_url = urljoin(responder_url, core_import.get("schemaLocation"))
    core = fetch(core_url)
    core_file = official / core_url.split("/contracts/", 1)[1]
    # Served as validated: the official core file with only the pattern corrected.
    assert same_lines_except(core, core_file.read_bytes(), "<xs:pattern") == []
    assert b'<xs:pattern value="[0-9]{8}[0-9pPtTfF][0-9]{3}"/>' in core
    assert b"^[0-9]" not in core


def zeep_client(server):
    import zeep
    from zeep.transports import Transport

    session = requests.Session()
    session.headers["x-rivta-original-serviceconsumer-hsaid"] = CONSUMER
    return zeep.Client(f"{server.url}{ADD_MESSAGE_PATH}?wsdl", transport=Transport(session=session, timeout=30))


def test_zeep_round_trip_through_the_official_bundle(server):
    """zeep builds its client from the served official WSDL and XSDs; the request carries
    Tolvan's personnummer, which the official pattern as published would reject."""
    client = zeep_client(server)
    answer = client.service.AddMessage(
        subjectOfCareId=TOLVAN,
        message={
            "caseType": {"caseTypeDescription": "Kallelse"},
            "headerText": "Kallelse till provtagning",
            "msg": "<article><para>Välkommen</para></article>",
            "businessObjectId": "official-bundle-1",
        },
        notify=False,
        _soapheaders=[rivta.logical_address_header(LOGICAL_ADDRESS)],
    )
    assert answer.resultCode == "OK", answer
    assert answer.message.msg == "<article><para>Välkommen</para></article>"
    assert answer.message.caseType.caseTypeDescription == "Kallelse"


def test_a_malformed_personnummer_is_a_client_fault_under_the_official_bundle(server, official):
    contract = builtin_bundle(official)["AddMessage"]
    payload = rivta.build(
        contract, {"subjectOfCareId": "19121212-1212", "message": {"msg": "<article/>"}, "notify": False}
    )
    client = rivta.RivtaClient(CONSUMER, timeout=30)
    with pytest.raises(rivta.SoapFault) as caught:
        client.call(rivta.Endpoint(contract, server.url + ADD_MESSAGE_PATH, LOGICAL_ADDRESS), payload)
    assert caught.value.status == 500 and caught.value.code == "Client"
    assert "subjectOfCareId" in caught.value.text


@pytest.mark.slow  # what `kallelse serve` logs: the correction is logged once per process
def test_the_server_log_says_it_corrected_the_official_pattern(official, tmp_path):
    server = SimulatorProcess(tmp_path / "sim", extra_args=("--contracts", str(official))).start()
    try:
        # Loading the schema happens on first use; make sure this worker has used it.
        fetch(f"{server.url}/contracts/TD_INBOX_2_0/schemas/core_components/mvk_crm_casemanagement_inbox_2.0.xsd")
        log = server.log()
    finally:
        server.stop()
    lines = [line for line in log.splitlines() if CORRECTION_LOG in line]
    assert lines, log[-3000:]
    assert any(str(official / "TD_INBOX_2_0/schemas/core_components") in line for line in lines), lines
    assert any("WARNING" in line for line in lines), lines
