"""Fuzzing the simulator's producer side: schema-valid documents from the contracts'
corpus generator (contracts/corpus.py), the same documents broken in one way each, and
raw garbage, against every SOAP endpoint. Never an HTTP 500 without a SOAP Fault, never
a stack trace, and the store stays consistent: exactly the AddMessages answered OK/INFO
are stored, and every call is in the recorded traffic."""

from __future__ import annotations

import collections

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import rivta
from contracts.bundle import builtin_bundle
from contracts.components import load_xsd
from contracts.corpus import DocumentFactory, GeneratorError, Mutator
from simulator.population.personnummer import CONTRACT_FORM, TWELVE_DIGITS, has_valid_check_digit, with_check_digit
from tests.inbox import wire
from tests.soap import handwritten

BUNDLE = builtin_bundle()
STACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "lxml.etree.")
EXAMPLES = 40


class Calls:
    """What the fuzzing sent and what came back, for the consistency checks at the end."""

    def __init__(self):
        self.count = 0
        self.stored = collections.Counter()  # subjectOfCareId -> AddMessages answered OK/INFO


CALLS = Calls()


@pytest.fixture(scope="module")
def endpoints(simulator) -> dict[str, str]:
    assert requests.post(f"{simulator.url}/api/reset", json={}, timeout=30).ok
    requests.delete(f"{simulator.url}/api/traffic", timeout=30)
    paths = requests.get(f"{simulator.url}/api/health", timeout=10).json()["endpoints"]
    return {path.split("/")[2]: simulator.url + path for path in paths}


def envelope(payload: bytes, logical_address: bool) -> bytes:
    """The library's envelope around a generated (possibly broken, always well-formed) payload."""
    return rivta.envelope(payload, "SE2321000016-MVK" if logical_address else None)


def post(url: str, interaction: str, data: bytes, action: str | None = None) -> requests.Response:
    contract = BUNDLE[interaction]
    CALLS.count += 1
    return requests.post(
        url,
        data=data,
        timeout=30,
        headers=rivta.http_headers(contract, "SE2321000065-FUZZ", action or None),
    )


def check_answer(answer: requests.Response, interaction: str) -> etree._Element | None:
    """The rules every answer obeys, read by the client library as a care system reads
    it: the response payload of a 200, None for a SOAP Fault with HTTP 500."""
    text = answer.text
    assert not any(marker in text for marker in STACK_MARKERS), text[:2000]
    assert answer.status_code in (200, 500), (answer.status_code, text[:500])
    try:
        payload = rivta.parse_response(BUNDLE[interaction], answer.status_code, answer.content)
    except rivta.SoapFault as fault:
        assert answer.status_code == 500, f"a SOAP Fault with HTTP 200: {text[:500]}"
        assert fault.code and fault.text, text[:500]
        return None
    except rivta.HttpError as error:
        raise AssertionError(f"HTTP {answer.status_code} without a SOAP Fault ({error}): {text[:500]}") from None
    return payload


def record_stored(interaction: str, document: etree._Element, payload: etree._Element | None) -> None:
    if interaction != "AddMessage" or payload is None:
        return
    if payload.findtext("{*}resultCode") in ("OK", "INFO"):
        CALLS.stored[document.findtext("{*}subjectOfCareId").strip()] += 1


# GetUserProfileByAgent is in the bundle (the contracts helper verifies it) but no producer serves it.
def storable(document: etree._Element, rnd) -> None:
    """Make a generated AddMessage one the inbox stores (a random personnummer with a
    valid check digit, notify off so sourceSystem is not required), so the consistency
    check has stored messages to count."""
    for element in document.iter():
        name = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if name == "subjectOfCareId":
            element.text = with_check_digit(
                f"19{rnd.randint(30, 99)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(100, 999)}"
            )
        elif name == "notify":
            element.text = "false"


INTERACTIONS = sorted(name for name in BUNDLE.contracts if name != "GetUserProfileByAgent")


def send_a_known_good_add_message(url: str) -> None:
    """One hand-written valid AddMessage beside the generated ones: that a generated
    document passes the inbox's rules is not guaranteed (a CI run once stored none of
    them), and without a stored message the consistency check has nothing to count."""
    body = wire.add_message_body(with_check_digit("19571012123"), business_object_id="FUZZ-KNOWN-GOOD")
    answer = post(url, "AddMessage", envelope(body.encode("utf-8"), True))
    payload = check_answer(answer, "AddMessage")
    assert payload is not None and payload.findtext("{*}resultCode") in ("OK", "INFO"), answer.text[:500]
    record_stored("AddMessage", etree.fromstring(body.encode("utf-8")), payload)


@pytest.mark.parametrize("interaction", INTERACTIONS)
def test_generated_and_mutated_documents(endpoints, interaction):
    if interaction not in endpoints:
        pytest.skip(f"{interaction} is not served")
    if interaction == "AddMessage":
        send_a_known_good_add_message(endpoints[interaction])
    contract = BUNDLE[interaction]
    model = load_xsd(contract.responder_xsd)
    root = model.elements[contract.request_element.split("}")[1]]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(rnd=st.randoms(use_true_random=False), mutate=st.booleans(), logical=st.booleans())
    def one(rnd, mutate, logical):
        try:
            generated = DocumentFactory(model, rnd).document(root)
        except GeneratorError:
            return
        if mutate:
            Mutator(rnd).mutate(generated)
        elif interaction == "AddMessage" and rnd.random() < 0.5:
            storable(generated.root, rnd)
        answer = post(endpoints[interaction], interaction, envelope(generated.bytes(), logical or not mutate))
        record_stored(interaction, generated.root, check_answer(answer, interaction))

    one()


@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.sampled_from(
            [b"", b"<", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', *handwritten.NOT_SOAP11]
        ),
    ),
    interaction=st.sampled_from(INTERACTIONS),
    action=st.sampled_from([None, "urn:wrong", ""]),
)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_garbage_is_answered_with_a_fault(endpoints, data, interaction, action):
    if interaction not in endpoints:
        return
    answer = post(endpoints[interaction], interaction, data, action)
    assert check_answer(answer, interaction) is None


def test_the_store_stayed_consistent(simulator, endpoints):
    """Runs after the fuzzing (file order): every AddMessage answered OK/INFO is stored
    once, nothing else is, and every call was recorded."""
    assert CALLS.count > 0 and sum(CALLS.stored.values()) > 0, "the fuzzing stored nothing to check"
    for pnr, count in CALLS.stored.items():
        if not CONTRACT_FORM.match(pnr) or (TWELVE_DIGITS.match(pnr) and not has_valid_check_digit(pnr)):
            continue
        inbox = requests.get(f"{simulator.url}/api/citizens/{pnr}/inbox", timeout=30)
        assert inbox.status_code == 200, inbox.text
        assert inbox.json()["message_count"] == count, pnr
    traffic = requests.get(
        f"{simulator.url}/api/traffic", params={"consumer": "SE2321000065-FUZZ", "limit": 500}, timeout=30
    ).json()
    total = len(traffic["items"])
    while traffic.get("next_before"):
        traffic = requests.get(
            f"{simulator.url}/api/traffic",
            timeout=30,
            params={"consumer": "SE2321000065-FUZZ", "limit": 500, "before": traffic["next_before"]},
        ).json()
        total += len(traffic["items"])
    assert total == CALLS.count
    assert requests.get(f"{simulator.url}/api/health", timeout=10).status_code == 200
