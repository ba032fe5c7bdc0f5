"""Fixtures for the citizen side: a real seeded simulator over HTTP with a care-system
client (SOAP with LogicalAddress and consumer headers) and a citizen session; and, for
page tests that insert messages directly, the application built in-process (the shared
``web`` fixture in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import requests

from contracts.bundle import builtin_bundle
from simulator.citizen.client import CitizenBrowser, Kallelse, SimulatorClient
from simulator.citizen.demo import demo_numbers

CONSUMER = "SE2321000016-TEST1"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def care_system(simulator) -> SimulatorClient:
    return SimulatorClient(simulator.url, builtin_bundle(), consumer=CONSUMER)


@pytest.fixture(scope="module")
def people(care_system) -> dict[str, str]:
    """Demo persons' personnummer by short name (tolvan, anna, karl, david, lova)."""
    return demo_numbers(care_system)


@pytest.fixture()
def clean(simulator):
    """Each test starts with empty inboxes and outboxes and the clock frozen at a known
    Swedish time; the clock goes back to real time afterwards."""
    requests.post(f"{simulator.url}/api/reset", timeout=30).raise_for_status()
    set_clock(simulator.url, {"set": "2027-03-01T10:00:00", "freeze": True})
    yield
    set_clock(simulator.url, {"reset": True})


def set_clock(base_url: str, command: dict) -> dict:
    answer = requests.post(f"{base_url}/api/clock", json=command, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def clock_now(base_url: str) -> dt.datetime:
    return dt.datetime.fromisoformat(requests.get(f"{base_url}/api/clock", timeout=10).json()["now"])


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def kallelse(personnummer: str, business_object_id: str, msg: str | None = None, **fields) -> Kallelse:
    """A kallelse with a future booking that allows both buttons, unless told otherwise."""
    booking = fields.pop(
        "booking",
        {
            "bookingId": f"B-{business_object_id}",
            "isInvitation": True,
            "rebookingAllowed": True,
            "cancelBookingAllowed": True,
            "bookingDate": "2027-03-20T09:30:00",
        },
    )
    return Kallelse(
        personnummer,
        msg or "<article><info><title>Kallelse</title></info><para>Välkommen till provtagning.</para></article>",
        business_object_id,
        header=fields.pop("header", "Kallelse till provtagning"),
        facility=fields.pop(
            "facility", {"hsaId": "SE2321000016-F1", "healthCareFacilityName": "Vårdcentralen Testvik"}
        ),
        booking=booking,
        source_system=fields.pop("source_system", CONSUMER),
        **fields,
    )


def first_message_id(client: SimulatorClient, business_object_id: str) -> str:
    return client.api("GET", f"/api/threads/{business_object_id}").json()["messages"][0]["message_id"]


@pytest.fixture()
def citizen(simulator) -> CitizenBrowser:
    return CitizenBrowser(simulator.url)
