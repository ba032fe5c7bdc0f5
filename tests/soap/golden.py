"""Golden answers of the SOAP operations other than PU (which has its own,
``tests/pu/golden.py``): the exact bytes the simulator answers to AddMessage,
GetUserProfile, GetSubjectOfCare, GetUserProfileByAgent and GetMessageStatus for every
seeded citizen and the PU golden set's edge-case citizens (text that needs escaping,
protected, deceased, reserve and replaced identities), plus the refusals every operation
shares (schema-invalid payload, wrong SOAPAction, missing LogicalAddress, not XML),
recorded as one SHA-256 per request in ``golden_answers.json``.

Why: the common SOAP path and the producers are optimized for CPU (issue #12: one find
per field, answers written without moving the payload into an envelope tree, ...), and
an optimization must not change a byte of an answer. The digests were recorded with the
implementation before those optimizations (main at 3a39e2e); ``test_golden_answers.py``
compares every answer of the current code with them.

Regenerate (only when an answer is meant to change, and say why in the commit):
``.venv/bin/python -m tests.soap.golden --write``; ``--dump DIR`` writes the answers
themselves, to diff two implementations.

The requests go through the whole application in-process on a frozen simulator clock
(AddMessage echoes actionDate/actionTime), the population seeded for that date. The
message ids GetMessageStatus returns are random UUIDs: they are replaced by their order
of appearance before hashing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import rivta
from contracts.bundle import builtin_bundle
from tests import golden
from tests.pu.golden import extra_citizens
from tests.soap.handwritten import without_body_end_tag

GOLDEN = Path(__file__).with_name("golden_answers.json")
CLOCK = "2026-11-30T10:00:00+01:00"
CONSUMER = "SE2321000016-GOLD"
ADDRESS = "SE2321000016-MVK"
PATHS = {
    "AddMessage": "/inbox/AddMessage/2/rivtabp21",
    "GetUserProfile": "/userprofile/GetUserProfile/2/rivtabp21",
    "GetSubjectOfCare": "/userprofile/GetSubjectOfCare/2/rivtabp21",
    "GetUserProfileByAgent": "/userprofile/GetUserProfileByAgent/2/rivtabp21",
    "GetMessageStatus": "/inbox/GetMessageStatus/1/rivtabp21",
}
LETTER = (
    '<?xml version="1.0"?>\n<article><info><title>Kallelse &amp; info</title></info>'
    '<para>Välkommen &lt;3 till oss.</para><para><ulink url="https://www.1177.se/" type="_blank">'
    "1177</ulink></para></article>\n"
)
BROKEN_LETTER = "<article><para><section>fel ordning</section></para><blink>x</blink></article>"
FACILITY = {
    "hsaId": "SE2321000016-7P3V",
    "healthCareFacilityName": "Mottagning <A> & B",
    "healthCareFacilityAddress": "Vägen 1",
    "healthCareFacilityPostalCode": "11122",
    "healthCareFacilityPostalCity": "Stad",
    "healthCareFacilityTelephone": "010-123 45 67",
}
BOOKING = {"bookingId": "B-1", "isInvitation": True, "cancelBookingAllowed": True, "bookingDate": "2026-12-24T09:30:00"}
_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _kallelser(pnr: str, n: int) -> Iterator[tuple[str, rivta.Kallelse]]:
    """AddMessage variants: every optional part present or not, escaping, broken DocBook."""
    yield (
        "full",
        rivta.Kallelse(pnr, LETTER, f"GOLD-{n}", "Kallelse", "Rubrik > & <", FACILITY, BOOKING, None, True, "SE-SRC"),
    )
    yield "bare", rivta.Kallelse(pnr, LETTER, None, None, None, None, None, None, notify=False)
    yield (
        "broken",
        rivta.Kallelse(pnr, BROKEN_LETTER, f"B-{n}", "Typ", None, {"hsaId": "SE1"}, None, None, True, "SE-SRC"),
    )
    yield "nomsg", rivta.Kallelse(pnr, " ", f"GOLD-{n}", notify=True)


def cases(population: list[str]) -> Iterator[tuple[str, str, bytes]]:
    """(case name, interaction, request envelope)."""
    bundle = builtin_bundle()
    for n, pnr in enumerate(population):
        for variant, kallelse in _kallelser(pnr, n):
            if variant == "full" or n % 5 == 0:
                body = rivta.envelope(rivta.add_message(bundle["AddMessage"], kallelse), ADDRESS)
                yield f"AddMessage-{variant}-{pnr}", "AddMessage", body
        for interaction in ("GetUserProfile", "GetSubjectOfCare"):
            payload = rivta.get_user_profile(bundle[interaction], pnr)
            yield f"{interaction}-{pnr}", interaction, rivta.envelope(payload, ADDRESS)
        status = rivta.get_message_status(bundle["GetMessageStatus"], pnr, f"GOLD-{n}")
        yield f"GetMessageStatus-{pnr}", "GetMessageStatus", rivta.envelope(status, ADDRESS)
    yield from _by_agent(population)
    yield from _refusals(population[0])


def _by_agent(population: list[str]) -> Iterator[tuple[str, str, bytes]]:
    from simulator.population.domain import object_id_of

    contract = builtin_bundle()["GetUserProfileByAgent"]
    responder = contract.responder_namespace
    for n, agent in enumerate(population[::3]):
        child = population[(n * 7) % len(population)]
        payload = (
            f'<GetUserProfileByAgent xmlns="{responder}"><subjectOfCareId>{agent}</subjectOfCareId>'
            f"<objectId>{object_id_of(child)}</objectId></GetUserProfileByAgent>"
        )
        yield f"GetUserProfileByAgent-{agent}-{child}", "GetUserProfileByAgent", rivta.envelope(payload, ADDRESS)


def _refusals(pnr: str) -> Iterator[tuple[str, str, bytes]]:
    bundle = builtin_bundle()
    for interaction in PATHS:
        contract = bundle[interaction]
        local = contract.request_element.rpartition("}")[2]
        invalid = f'<{local} xmlns="{contract.responder_namespace}"><nonsense>1</nonsense></{local}>'
        yield f"{interaction}-invalid", interaction, rivta.envelope(invalid, ADDRESS)
        profile = rivta.get_user_profile(bundle["GetUserProfile"], pnr)
        yield f"{interaction}-no-address", interaction, rivta.envelope(profile, None)
        yield f"{interaction}-not-xml", interaction, without_body_end_tag(rivta.envelope(profile, ADDRESS))
        if interaction != "AddMessage":
            yield f"{interaction}-wrong-action", interaction, rivta.envelope(profile, ADDRESS)


def answers(work: Path, database_url: str | None = None) -> Iterator[tuple[str, bytes]]:
    """(case name, status + answer body) for every case, from an in-process application."""
    runtime, client, population = golden.application(work, database_url, CLOCK, extra_citizens())
    bundle = builtin_bundle()
    try:
        for name, interaction, body in cases(population):
            action = bundle["AddMessage" if name.endswith("-wrong-action") else interaction].soap_action
            headers = dict(rivta.http_headers(bundle[interaction], CONSUMER, action))
            reply = client.post(PATHS[interaction], data=body, headers=headers)
            yield name, reply.status_code.to_bytes(2, "big") + _numbered(reply.data)
    finally:
        runtime.db.dispose()


def _numbered(body: bytes) -> bytes:
    """The answer with each UUID replaced by the order it first appears in."""
    seen: dict[bytes, bytes] = {}
    return _UUID.sub(lambda m: seen.setdefault(m.group(0), b"uuid-%d" % len(seen)), body)


def digests(work: Path, database_url: str | None = None) -> dict[str, str]:
    return golden.digests(answers, work, database_url)


if __name__ == "__main__":
    golden.main(answers, GOLDEN, (__doc__ or "").split("\n\n")[0])
