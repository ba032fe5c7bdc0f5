"""The npm ``soap`` package (pinned in tests/interop/package.json; CI installs it with
``npm ci --prefix tests/interop``) calls all four interactions from the served WSDLs,
under node, as a Node.js care system would; this test checks what it parsed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.interop.calls import (
    CONSUMER,
    CONSUMER_HEADER,
    DOCBOOK,
    LOGICAL_ADDRESS,
    PERSONNUMMER_OID,
    REGISTRY_NS,
    TOLVAN,
    WSDL_PATHS,
    stored_message,
    tolvan,
)
from tests.support import require

HERE = Path(__file__).resolve().parent
UNKNOWN = "195001019990"

pytestmark = pytest.mark.node


def truthy(value) -> bool:
    """node-soap hands booleans back as true/false or as their XML text."""
    return str(value).lower() == "true"


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def node_answers(simulator):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the npm soap interoperability test needs Node.js 18+)")
    require((HERE / "node_modules" / "soap").is_dir(), "npm package soap (run: npm ci --prefix tests/interop)")
    call = {
        "base": simulator.url,
        "wsdl": WSDL_PATHS,
        "logicalAddress": LOGICAL_ADDRESS,
        "registryNs": REGISTRY_NS,
        "consumer": CONSUMER,
        "consumerHeader": CONSUMER_HEADER,
        "personnummer": TOLVAN,
        "unknown": UNKNOWN,
        "oid": PERSONNUMMER_OID,
        "businessObjectId": "NODE-1",
        "bookingId": "NODE-B1",
        "docbook": DOCBOOK,
    }
    done = subprocess.run(
        [node, str(HERE / "soap_client.js"), json.dumps(call)], cwd=HERE, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_add_message(node_answers, simulator):
    assert node_answers["AddMessage"]["result"]["resultCode"] == "OK", node_answers["AddMessage"]
    stored = stored_message(simulator.url, "NODE-1")
    assert stored["booking"]["booking_id"] == "NODE-B1" and stored["facility"]["hsa_id"] == "SE2321000016-F2"


def test_get_user_profile(node_answers, simulator):
    result = node_answers["GetUserProfile"]["result"]
    account = tolvan(simulator.url)["account"]
    assert result["resultCode"] == "OK"
    assert truthy(result["isActive"])
    assert result["userProfile"]["subjectOfCareId"] == TOLVAN
    assert truthy(result["userProfile"]["hasSmsNotification"]) is account["sms_notification"] is True
    assert result["userProfile"]["mobilePhoneNumber"] == account["mobile"]


def test_get_subject_of_care(node_answers, simulator):
    result = node_answers["GetSubjectOfCare"]["result"]
    assert result["resultCode"] == "OK"
    assert result["subjectOfCare"]["subjectOfCareId"] == TOLVAN
    assert result["subjectOfCare"]["lastName"] == tolvan(simulator.url)["surname"] == "Tolvansson"


def test_get_persons_for_profile(node_answers, simulator):
    records = as_list(node_answers["GetPersonsForProfile"]["result"]["requestedPersonRecord"])
    assert [r["requestedPersonalIdentity"]["extension"] for r in records] == [TOLVAN, UNKNOWN]
    found, missing = records
    assert found["personRecord"]["name"]["surname"] == "Tolvansson"
    assert truthy(found["personRecord"]["optoutPaperNotification"]) is tolvan(simulator.url)["optout_paper"] is True
    assert "personRecord" not in missing or missing["personRecord"] in (None, "")


def test_a_call_without_the_logical_address_is_a_soap_fault(node_answers):
    answer = node_answers["withoutLogicalAddress"]
    assert "fault" in answer, answer
    assert answer["status"] == 500 and answer["fault"]["text"]
