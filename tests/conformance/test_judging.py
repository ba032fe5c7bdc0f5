"""The judging the weakness classes of issue #10 added, on hand-made requests: ownership
(sourceSystem, LogicalAddress per contract), attribution of a misspelled subjectOfCareId,
semantics over spelling (zoned dateTime as an instant, contact in healthCareFacility)."""

from __future__ import annotations

import datetime as dt

import pytest

from conformance import wire
from conformance.checks import wirerules
from conformance.checks.content import same_instant, same_words
from conformance.scenario import SWEDEN
from tests.conformance.test_units import judged, record

VISIT = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SWEDEN)


@pytest.mark.parametrize(
    "sent, same",
    [
        ("2026-12-01T10:00:00", True),  # unzoned: Swedish local time
        ("2026-12-01T09:00:00Z", True),
        ("2026-12-01T10:00:00+01:00", True),
        ("2026-12-01T09:00:00", False),  # the UTC wall time without a zone is another instant
        ("2026-12-01T10:00:00Z", False),
        ("1 december", False),
    ],
)
def test_booking_date_is_compared_as_an_instant(sent, same):
    assert same_instant(sent, VISIT) is same


def test_contact_in_a_structured_field_is_the_same_words():
    assert same_words("010 242 00 00", "010-242 00 00") and not same_words("", "010-242 00 00")
    assert not same_words("010-242 00 01", "010-242 00 00")


@pytest.mark.parametrize("spelled", ["19121212-1212", "1212121212", "191212121213", "121212-1212"])
def test_a_misspelled_subject_is_still_the_same_person(spelled):
    assert wire.same_person(spelled, "191212121212")
    assert not wire.same_person(spelled, "191212121311")


def test_source_system_must_be_the_vendors_own():
    message = wire.add_message(wire.parse(record()))
    assert judged("MC-03", wirerules.mc03, [message])[0] == "pass"  # any HSA-id when nothing is declared
    assert judged("MC-03", wirerules.mc03, [message], ("SE2321000065-7331",))[0] == "pass"
    status, findings = judged("MC-03", wirerules.mc03, [message], ("SE2321000065-EX0001",))
    assert status == "fail" and "SE2321000065-EX0001" in findings[0].expected


def test_logical_address_must_be_the_contracts_receiver():
    request = wire.parse(record())
    assert judged("MC-01", wirerules.mc01, [request], wirerules.LOGICAL_ADDRESSES)[0] == "pass"
    wrong = {**wirerules.LOGICAL_ADDRESSES, "AddMessage": "SE165565594230-1000"}
    status, findings = judged("MC-01", wirerules.mc01, [request], wrong)
    assert status == "fail" and "receiver of AddMessage" in [f for f in findings if not f.ok][0].expected


def test_a_hyphenated_subject_fails_mc04_and_mc01_by_name():
    request = wire.parse(record(pnr="19121212-1212"))
    status, findings = judged("MC-04", wirerules.mc04, [request])
    assert status == "fail" and "19121212-1212" in findings[0].seen
    assert judged("MC-01", wirerules.mc01, [request])[0] == "fail"
