"""The SOAP operations the benchmark measures, each as one request to repeat
(:class:`loadtests.loadgen.Load`) and the mark of an OK answer: AddMessage (a new
businessObjectId per request), GetUserProfile, GetSubjectOfCare, GetPersonsForProfile
with 10 and with 500 identities (the contract's maximum) and GetMessageStatus (for a
message the bench stores before measuring). Requests are built by the same builders as
the load scenarios (:mod:`loadtests.wire`, ``rivta``), for seeded citizens of the
simulator's own population, so the simulator answers OK; every floor gets the same bytes."""

from __future__ import annotations

import dataclasses
import itertools
import urllib.request
from collections.abc import Callable
from pathlib import Path

import rivta
from contracts.bundle import builtin_bundle
from loadtests import addmessage
from loadtests.loadgen import Load

STATUS_BUSINESS_OBJECT_ID = "BENCH-STATUS-1"
# A Lua pattern (wrk) and a regular expression (Python client) each: an answer is OK only
# if it is HTTP 200 and shows this.
RESULT_OK = r"<[%w.:-]*resultCode>OK</", rb"<(?:[\w.-]+:)?resultCode>OK</"
PERSON_RECORD = r"requestedPersonRecord>", rb"requestedPersonRecord>"


@dataclasses.dataclass(frozen=True)
class People:
    """Who the requests are about: a citizen with an active account (AddMessage,
    profiles, status) and the seeded population (PU lookups)."""

    personnummer: str
    population: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Operation:
    name: str
    interaction: str
    path: str
    logical_address: str
    payload: Callable[[People, Path | None], bytes] | None  # None: AddMessage's own template
    ok: tuple[str, bytes] = RESULT_OK

    def load(self, base_url: str, people: People, contracts: Path | None = None) -> Load:
        contract = builtin_bundle(contracts)[self.interaction]
        if self.payload is None:
            body = addmessage.template(people.personnummer, self.logical_address, contracts)
        else:
            body = self.payload(people, contracts)
        return Load(
            url=base_url.rstrip("/") + self.path,
            body=body,
            headers=rivta.http_headers(contract, addmessage.CONSUMER),
            ok_lua=self.ok[0],
            ok_regex=self.ok[1],
        )


def _profile(interaction: str) -> Callable[[People, Path | None], bytes]:
    def build(people: People, contracts: Path | None) -> bytes:
        contract = builtin_bundle(contracts)[interaction]
        return rivta.envelope(rivta.get_user_profile(contract, people.personnummer), PROFILE_ADDRESS)

    return build


def _persons(count: int) -> Callable[[People, Path | None], bytes]:
    def build(people: People, contracts: Path | None) -> bytes:
        contract = builtin_bundle(contracts)["GetPersonsForProfile"]
        identities = list(itertools.islice(itertools.cycle(people.population or (people.personnummer,)), count))
        return rivta.envelope(rivta.get_persons_for_profile(contract, identities, "P3"), PU_ADDRESS)

    return build


def _status(people: People, contracts: Path | None) -> bytes:
    contract = builtin_bundle(contracts)["GetMessageStatus"]
    payload = rivta.get_message_status(contract, people.personnummer, STATUS_BUSINESS_OBJECT_ID)
    return rivta.envelope(payload, PROFILE_ADDRESS)


PROFILE_ADDRESS = "SE2321000016-MVK"
PU_ADDRESS = "SE165565594230-1000"

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("AddMessage", "AddMessage", addmessage.PATH, addmessage.LOGICAL_ADDRESS, None),
        Operation(
            "GetUserProfile",
            "GetUserProfile",
            "/userprofile/GetUserProfile/2/rivtabp21",
            PROFILE_ADDRESS,
            _profile("GetUserProfile"),
        ),
        Operation(
            "GetSubjectOfCare",
            "GetSubjectOfCare",
            "/userprofile/GetSubjectOfCare/2/rivtabp21",
            PROFILE_ADDRESS,
            _profile("GetSubjectOfCare"),
        ),
        Operation(
            "GetPersonsForProfile/10",
            "GetPersonsForProfile",
            "/pu/GetPersonsForProfile/5/rivtabp21",
            PU_ADDRESS,
            _persons(10),
            PERSON_RECORD,
        ),
        Operation(
            "GetPersonsForProfile/500",
            "GetPersonsForProfile",
            "/pu/GetPersonsForProfile/5/rivtabp21",
            PU_ADDRESS,
            _persons(500),
            PERSON_RECORD,
        ),
        Operation(
            "GetMessageStatus",
            "GetMessageStatus",
            "/inbox/GetMessageStatus/1/rivtabp21",
            PROFILE_ADDRESS,
            _status,
        ),
    )
}


def store_status_message(base_url: str, people: People, contracts: Path | None = None) -> None:
    """The message GetMessageStatus asks about, sent once through the simulator itself."""
    contract = builtin_bundle(contracts)["AddMessage"]
    body = addmessage.template(people.personnummer, addmessage.LOGICAL_ADDRESS, contracts)
    body = body.replace(b"BENCH-__SEQ__", STATUS_BUSINESS_OBJECT_ID.encode())
    request = urllib.request.Request(
        base_url.rstrip("/") + addmessage.PATH,
        data=body,
        headers=rivta.http_headers(contract, addmessage.CONSUMER),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read()
    if b">OK<" not in text:
        raise RuntimeError(f"the GetMessageStatus message was not stored: {text[:400]!r}")
