"""What every locust scenario shares: its settings (``KALLELSE_LOAD_*`` environment
variables, so a distributed run's master and workers, and a docker-compose locust
container, all read the same), this process's ledger, unique ids, and a SOAP call that
judges the answer by its resultCode rather than by the HTTP status alone.

Settings:

=============================  =======================================================
``KALLELSE_LOAD_RUN``          run id: prefix of every businessObjectId and booking id
``KALLELSE_LOAD_LEDGER``       folder for the ledger files (none: no reconciliation)
``KALLELSE_LOAD_CITIZENS``     citizens each simulated user creates in on_start [3]
``KALLELSE_LOAD_WAIT``         most seconds a user waits between tasks [0: no wait]
``KALLELSE_LOAD_BOOKINGS``     screening_campaign: bookings in the burst [50000]
``KALLELSE_LOAD_PROCESSES``    locust processes that share the burst [1]
``KALLELSE_LOAD_FLOOR``        1: the target is the lean floor app (AddMessage only)
``KALLELSE_LOAD_RATE``         soak: calls per second of each vendor user [2]
=============================  =======================================================
"""

from __future__ import annotations

import itertools
import os
import random
import time
import uuid

from locust import between, constant, events

from loadtests import wire
from loadtests.ledger import Ledger
from loadtests.people import People


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


RUN = os.environ.get("KALLELSE_LOAD_RUN") or uuid.uuid4().hex[:8]
CITIZENS_PER_USER = env_int("KALLELSE_LOAD_CITIZENS", 3)
FLOOR = os.environ.get("KALLELSE_LOAD_FLOOR", "") in ("1", "true", "yes")
_WAIT = float(os.environ.get("KALLELSE_LOAD_WAIT") or 0)
# Unique within the run across processes: the pid tells the processes of one machine
# apart, the random part the machines of a distributed run.
PROCESS_TAG = f"{os.getpid() % 100000}{uuid.uuid4().hex[:3]}"
_sequence = itertools.count(1)

ledger = Ledger(os.environ.get("KALLELSE_LOAD_LEDGER"))
people = People(seed=random.randrange(2**32))


def wait_time():
    return between(0, _WAIT) if _WAIT > 0 else constant(0)


def unique(prefix: str) -> str:
    """``<prefix>-<run>-<process>-<n>``: never reused within a run, greppable after it."""
    return f"{prefix}-{RUN}-{PROCESS_TAG}-{next(_sequence)}"


@events.quitting.add_listener
def _close_ledger(environment, **_kwargs):
    ledger.close()


def soap(
    client, request: wire.Request, expect: tuple[str, ...] = ("OK",), name: str | None = None
) -> tuple[str, bytes]:
    """POST one SOAP call; a resultCode outside ``expect`` (or a Fault) is a locust
    failure with the code as the reason. Returns (code, body)."""
    with client.post(
        request.path, data=request.body, headers=request.headers, name=name or request.name, catch_response=True
    ) as answer:
        body = answer.content or b""
        code = wire.result_code(answer.status_code, body)
        if request.name == "GetPersonsForProfile" and code == "HTTP 200":
            code = "OK"  # PU answers carry no resultCode: a 200 without Fault is the answer
        if code in expect:
            answer.success()
        else:
            answer.failure(f"{code}: {body[:300]!r}")
    return code, body


def create_citizens(client, count: int, **kwargs) -> list[dict]:
    """``count`` new citizens through the control API (a 409 — number taken — is retried
    with another number). Returns the created bodies."""
    created: list[dict] = []
    attempts = 0
    while len(created) < count and attempts < count * 5:
        attempts += 1
        body = people.citizen(**kwargs)
        with client.post("/api/citizens", json=body, name="setup: /api/citizens", catch_response=True) as answer:
            if answer.status_code == 201:
                answer.success()
                created.append(body)
                ledger.record("citizen", pnr=body["personnummer"])
            elif answer.status_code == 409:
                answer.success()
            else:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")
    return created


def fire(environment, name: str, milliseconds: float, request_type: str = "E2E", exception=None) -> None:
    """A custom locust metric: shows in the stats, CSV and HTML like a request."""
    environment.events.request.fire(
        request_type=request_type,
        name=name,
        response_time=milliseconds,
        response_length=0,
        exception=exception,
        context={},
    )


def now() -> float:
    """Wall-clock seconds: latencies that span processes (booking accepted here, message
    stored by a dispatch worker) are compared with the server's real-time stamps."""
    return time.time()
