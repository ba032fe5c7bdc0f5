"""Golden answers of GetPersonsForProfile: the exact bytes the simulator answers for a broad
set of requests (every seeded citizen and a few edge-case citizens, every identity kind,
profiles P1-P5, with and without ``ignoreReferredIdentity``, the bench's 500 identities),
recorded as one SHA-256 per request in ``golden_answers.json``.

Why: the PU answer path is optimized for speed (issue #12), and an optimization must not
change a single byte of any answer. The recorded digests came from the implementation
before those optimizations (commit 39f358d); ``tests/test_golden_answers.py`` compares every
answer of the current code with them.

Regenerate (only when an answer is meant to change, and say why in the commit):
``.venv/bin/python -m tests.pu.golden --write``; ``--dump DIR`` writes the answers
themselves, to diff two implementations.

The requests go through the whole application in-process (the Flask app's WSGI
callable, no socket) on a frozen simulator clock, the population seeded for that date.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import rivta
from simulator.population.domain import Citizen
from simulator.population.personnummer import with_check_digit
from simulator.pu.domain import OID_PERSONNUMMER, OID_RESERVNUMMER, OID_SAMORDNINGSNUMMER, identity_root
from tests import golden
from tests.pu.wire import CONSUMER, CONTRACT, CORE, LOGICAL_ADDRESS, PATH, RESPONDER

GOLDEN = Path(__file__).with_name("golden_answers.json")
# A frozen clock: the "under 18"/"turns 18 today" persons and custody end dates follow it.
CLOCK = "2026-11-30T10:00:00+01:00"
PROFILES = ("P1", "P2", "P3", "P4", "P5")
CHUNK = 500  # the contract's maximum per request

# Citizens beyond the seed, for what the seed does not have: text that needs escaping,
# a long name (notificationName), a phone number stored before normalisation, a postal
# code that is not five digits, a guardian and child born 29 February, a samordningsnummer
# replaced by a personnummer, a deceased samordningsnummer, a protected reserve identity.
EXTRA: list[dict] = [
    {
        "personnummer": with_check_digit("19600229971"),
        "given_name": "Åsa <Lisa> & Maja-Britt Karolina",
        "calling_name": "Maja-Britt",
        "middle_name": 'O"Brien',
        "surname": "Ekström-Lindqvist & Söner",
        "address": {"street": "Gatan 1 <b>", "postal_code": "SE-123", "city": "Köping & Co", "care_of": "c/o 'A'"},
        "county_code": "07",
        "municipality_code": "0780",
        "parish_code": "078001",
        "account": {
            "exists": True,
            "active": True,
            "sms_notification": True,
            "mobile": "070-174 06 99",
            "phone": "not a number",
            "email": "asa&co@example.com",
            "email_notification": True,
        },
        "relations": [{"personnummer": with_check_digit("20080229971"), "kind": "child", "since": "2008-02-29"}],
        "contact_persons": [
            {
                "relationship": "Granne & vän",
                "given_name": "Bo",
                "surname": "<Ek>",
                "phone": "0701740698",
                "email": "bo@example.com",
                "address": {"street": "Väg 2", "postal_code": "123 45", "city": "Ort"},
            }
        ],
        "updated_at": "2025-03-04T05:06:07",
    },
    {
        "personnummer": with_check_digit("20080229971"),
        "given_name": "Ella",
        "surname": "Ekström",
        "relations": [{"personnummer": with_check_digit("19600229971"), "kind": "guardian"}],
    },
    {
        "personnummer": with_check_digit("19750171971"),
        "given_name": "Sam",
        "surname": "Ordning",
        "identity_level": "SANNOLIK",
        "referred_identities": [{"personnummer": with_check_digit("19750111972"), "status": "NY"}],
    },
    {
        "personnummer": with_check_digit("19750111972"),
        "given_name": "Sam",
        "surname": "Ordning",
        "referred_identities": [{"personnummer": with_check_digit("19750171971"), "status": "AS"}],
    },
    {
        "personnummer": with_check_digit("19300161972"),
        "given_name": "Dag",
        "surname": "Död",
        "deceased": True,
        "deceased_date": "2020-01-02",
    },
    {
        "personnummer": "19990909P971",
        "given_name": "Hemlig",
        "surname": "Reserv",
        "protected_population_record": True,
        "linked_identity": with_check_digit("19600229971"),
        "registered_by": "SE2321000016-ABCD",
        "updated_at": "2025-06-07T08:09:10",
    },
]


def extra_citizens() -> list[Citizen]:
    return [Citizen.from_json(data) for data in EXTRA]


def request(ids: list[tuple[str, str | None]], profile: str, ignore_referred: bool) -> bytes:
    person_ids = "".join(
        f"<personId><core:root>{escape(root)}</core:root>"
        + (f"<core:extension>{escape(ext)}</core:extension>" if ext is not None else "")
        + "</personId>"
        for root, ext in ids
    )
    body = (
        f'<GetPersonsForProfile xmlns="{RESPONDER}" xmlns:core="{CORE}">{person_ids}'
        f"<profile>{profile}</profile><ignoreReferredIdentity>{'true' if ignore_referred else 'false'}"
        "</ignoreReferredIdentity></GetPersonsForProfile>"
    )
    return rivta.envelope(body, LOGICAL_ADDRESS)


def odd_identities(population: list[str]) -> list[tuple[str, str | None]]:
    """Identities that match no record or match under an unusual root; duplicates."""
    pnr = next(p for p in population if identity_root(p) == OID_PERSONNUMMER)
    snr = next(p for p in population if identity_root(p) == OID_SAMORDNINGSNUMMER)
    rnr = next(p for p in population if identity_root(p) == OID_RESERVNUMMER)
    return [
        (OID_PERSONNUMMER, pnr[:11] + str((int(pnr[11]) + 1) % 10)),  # wrong check digit
        (OID_SAMORDNINGSNUMMER, pnr),
        (OID_PERSONNUMMER, snr),
        (OID_PERSONNUMMER, rnr),
        ("1.2.752.99.1", rnr),  # a regional reserve root
        ("1.2.3.4", pnr),
        (OID_PERSONNUMMER, None),
        (OID_PERSONNUMMER, "tolvan"),
        (OID_PERSONNUMMER, f" {pnr} "),
        (OID_PERSONNUMMER, with_check_digit("19010101001")),  # valid, nobody
        (OID_PERSONNUMMER, pnr),
        (OID_PERSONNUMMER, pnr),
    ]


def cases(population: list[str]) -> Iterator[tuple[str, bytes]]:
    ids = [(identity_root(p), p) for p in population] + odd_identities(population)
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for profile in PROFILES:
        for ignore in (False, True):
            for n, chunk in enumerate(chunks):
                yield f"all-{profile}-{'ignore' if ignore else 'follow'}-{n}", request(chunk, profile, ignore)
            for n, (root, ext) in enumerate(ids):  # one identity per request: the small-call path
                if n % 7 == 0 or root != OID_PERSONNUMMER:
                    yield (
                        f"one-{profile}-{'ignore' if ignore else 'follow'}-{ext}-{root}",
                        request([(root, ext)], profile, ignore),
                    )
        bench = [(identity_root(p), p) for p in (population * CHUNK)[:CHUNK]]
        yield f"bench500-{profile}", request(bench, profile, False)
    yield "too-many", request([(OID_PERSONNUMMER, population[0])] * (CHUNK + 1), "P1", False)
    yield "reserved-profile", request([(OID_PERSONNUMMER, population[0])], "P6", False)


def answers(work: Path, database_url: str | None = None) -> Iterator[tuple[str, bytes]]:
    """(case name, answer body) for every case, from an in-process application (on a
    fresh SQLite file in ``work``, or on ``database_url``)."""
    runtime, client, population = golden.application(work, database_url, CLOCK, extra_citizens())
    headers = dict(rivta.http_headers(CONTRACT, CONSUMER))
    try:
        for name, body in cases(population):
            reply = client.post(PATH, data=body, headers=headers)
            yield name, reply.status_code.to_bytes(2, "big") + reply.data
    finally:
        runtime.db.dispose()


def digests(work: Path, database_url: str | None = None) -> dict[str, str]:
    return golden.digests(answers, work, database_url)


if __name__ == "__main__":
    golden.main(answers, GOLDEN, (__doc__ or "").split("\n\n")[0])
