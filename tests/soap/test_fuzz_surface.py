"""Hypothesis SOAP fuzz of the five served operations, in-process: generated requests
(valid, mutated by the contracts' corpus Mutator, and made hostile: a DOCTYPE with an
internal entity referenced in a value, an unknown mustUnderstand header, a wrong
SOAPAction, SOAP 1.2, truncation, bytes spliced in, a chunked body) — at least
``KALLELSE_FUZZ_EXAMPLES`` (default 2,000) per operation. Every answer is the contract's
own (tests/soap/answers.py) and every exchange is in the traffic record."""

from __future__ import annotations

import io
import os
import random

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

import rivta
from contracts.bundle import builtin_bundle
from contracts.components import load_xsd
from contracts.corpus import DocumentFactory, GeneratorError, Mutator
from simulator.population.personnummer import with_check_digit
from tests.soap import handwritten
from tests.soap.answers import judge

BUNDLE = builtin_bundle()
EXAMPLES = int(os.environ.get("KALLELSE_FUZZ_EXAMPLES", "2000"))
OPERATIONS = {
    "AddMessage": "/inbox/AddMessage/2/rivtabp21",
    "GetUserProfile": "/userprofile/GetUserProfile/2/rivtabp21",
    "GetSubjectOfCare": "/userprofile/GetSubjectOfCare/2/rivtabp21",
    "GetPersonsForProfile": "/pu/GetPersonsForProfile/5/rivtabp21",
    "GetMessageStatus": "/inbox/GetMessageStatus/1/rivtabp21",
}
MODELS = {name: load_xsd(BUNDLE[name].responder_xsd) for name in OPERATIONS}
LOGICAL_ADDRESS = "SE2321000016-MVK"
MUST_UNDERSTAND = f"{{{rivta.SOAP11_NS}}}mustUnderstand"
HOSTILE = (
    "valid",
    "mutated",
    "doctype_entity",
    "doctype_plain",
    "must_understand",
    "wrong_action",
    "soap12",
    "truncated",
    "spliced",
    "chunked",
    "no_logical_address",
)


def unknown_must_understand_header() -> etree._Element:
    block = etree.Element("{urn:unknown}Trace", {MUST_UNDERSTAND: "1"})
    block.text = "t"
    return block


def seeded_identity(document: etree._Element, rnd: random.Random) -> None:
    """Point a generated request at plausible personnummer, so some calls get past the
    schema into the producers (OK, INFO and ERROR answers, not only faults)."""
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in ("subjectOfCareId", "subjectOfCare", "extension"):
            element.text = (
                with_check_digit(f"19{rnd.randint(30, 99)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}")[:8]
                + with_check_digit(f"19{rnd.randint(30, 99)}0101{rnd.randint(100, 999)}")[8:]
            )
        elif name == "notify":
            element.text = "false"


def request_for(interaction: str, kind: str, rnd: random.Random, noise: bytes) -> tuple[bytes, dict]:
    contract = BUNDLE[interaction]
    model = MODELS[interaction]
    try:
        generated = DocumentFactory(model, rnd).document(model.elements[contract.request_element.split("}")[1]])
    except GeneratorError:
        generated = None
    payload = generated.bytes() if generated is not None else b"<x/>"
    if generated is not None and kind == "mutated":
        Mutator(rnd).mutate(generated)
        payload = generated.bytes()
    elif generated is not None and rnd.random() < 0.5:
        seeded_identity(generated.root, rnd)
        payload = generated.bytes()
    headers = rivta.http_headers(contract, "SE2321000065-FUZZ")
    if kind == "doctype_entity":
        entity = handwritten.with_entity_reference(rivta.envelope(payload, LOGICAL_ADDRESS), "e")
        return handwritten.with_doctype(entity, b' [<!ENTITY e "191212121212">]'), headers
    if kind == "doctype_plain":
        return handwritten.with_doctype(rivta.envelope(payload, LOGICAL_ADDRESS)), headers
    if kind == "must_understand":
        return rivta.envelope(payload, LOGICAL_ADDRESS, [unknown_must_understand_header()]), headers
    if kind == "wrong_action":
        headers["SOAPAction"] = '"' + "".join(c for c in noise.decode("latin-1") if c.isprintable()) + '"'
    if kind == "soap12":
        return handwritten.as_soap12(rivta.envelope(payload, LOGICAL_ADDRESS)), headers
    body = rivta.envelope(payload, LOGICAL_ADDRESS if kind != "no_logical_address" else None)
    if kind == "truncated":
        return body[: rnd.randint(0, len(body))], headers
    if kind == "spliced":
        at = rnd.randint(0, len(body))
        return body[:at] + noise + body[at:], headers
    if kind == "chunked":
        headers["Transfer-Encoding"] = "chunked"
    return body, headers


@pytest.mark.parametrize("interaction", sorted(OPERATIONS))
def test_every_answer_is_the_contracts_own(inprocess, interaction):
    path = OPERATIONS[interaction]
    contract = BUNDLE[interaction]
    seen: dict[str, int] = {}
    before = inprocess.recorded()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its own input
        suppress_health_check=list(HealthCheck),
    )
    @given(
        seed=st.integers(0, 2**32 - 1),
        kind=st.sampled_from(HOSTILE),
        noise=st.binary(max_size=40),
    )
    def one(seed, kind, noise):
        body, headers = request_for(interaction, kind, random.Random(seed), noise)
        if kind == "chunked":
            answer = inprocess.client.post(
                path, input_stream=io.BytesIO(body), headers={**headers, "Content-Type": "text/xml; charset=utf-8"}
            )
        else:
            answer = inprocess.client.post(path, data=body, headers=headers, content_type="text/xml; charset=utf-8")
        verdict = judge(answer.status_code, answer.headers.get("Content-Type", ""), answer.get_data(), contract)
        if kind.startswith("doctype"):
            assert verdict.faultcode == "Client" and "DOCTYPE" in verdict.faultstring, verdict
        if kind == "must_understand":
            assert verdict.faultcode == "MustUnderstand", verdict
        outcome = "answer" if verdict.payload is not None else (verdict.faultcode or "?")
        seen[outcome] = seen.get(outcome, 0) + 1

    one()
    calls = sum(seen.values())
    assert calls >= EXAMPLES, seen
    assert seen.get("answer", 0) > 0, f"no request reached the producer: {seen}"
    assert inprocess.recorded() - before == calls, "an exchange is missing from the traffic record"
