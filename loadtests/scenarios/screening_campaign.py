"""screening_campaign: a region books a whole screening round at once.

A burst of ``KALLELSE_LOAD_BOOKINGS`` bookings (default 50,000; split over the locust
processes) is posted as fast as the users can, to citizens aged 40-74 the users created.
When the last one is accepted the run stops by itself (``--duration`` is only an upper
bound); the runner then times the dispatch core's drain, lets a sample of citizens read
their kallelse, advances the simulator clock by the profile's fallback time so FB-01
fires for the unread ones, and times that drain too (loadtests/campaign.py).

Run: ``kallelse load run --scenario screening_campaign --users 20 --bookings 50000
--duration 2h --report out/``"""

from __future__ import annotations

import itertools
import os
import random
from typing import Any

import gevent
from locust import FastHttpUser, events, task
from locust.runners import LocalRunner, MasterRunner, WorkerRunner

from loadtests.bookings import booking_body, visit_time
from loadtests.scenarios import common

BOOKINGS = common.env_int("KALLELSE_LOAD_BOOKINGS", 50_000)
PROCESSES = common.env_int("KALLELSE_LOAD_PROCESSES", 1)
CITIZENS_PER_USER = common.env_int("KALLELSE_LOAD_CITIZENS", 10)
DONE = "screening_campaign_done"

_numbers = itertools.count()
_state: dict[str, Any] = {"quota": None, "in_flight": 0, "signalled": False, "workers_done": 0}


def quota(environment) -> int:
    """This process's share of the burst (a worker's index picks its remainder)."""
    if _state["quota"] is None:
        index = getattr(environment.runner, "worker_index", 0) if isinstance(environment.runner, WorkerRunner) else 0
        share, extra = divmod(BOOKINGS, PROCESSES)
        _state["quota"] = share + (1 if index < extra else 0)
    return _state["quota"]


def finished(environment) -> None:
    """This process's share is accepted: stop (local) or tell the master (worker)."""
    if _state["signalled"]:
        return
    _state["signalled"] = True
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.send_message(DONE, {"pid": os.getpid()})
    elif isinstance(runner, LocalRunner):
        gevent.spawn_later(0.1, runner.quit)


@events.init.add_listener
def _on_init(environment, **_kwargs):
    if isinstance(environment.runner, MasterRunner):

        def worker_done(environment=None, msg=None, **_kw):
            _state["workers_done"] += 1
            if _state["workers_done"] >= max(1, environment.runner.worker_count):
                gevent.spawn_later(0.1, environment.runner.quit)

        environment.runner.register_message(DONE, worker_done)


class ScreeningBooker(FastHttpUser):
    wait_time = common.wait_time()

    def on_start(self) -> None:
        self.rng = random.Random()
        self.citizens = []
        for _ in range(CITIZENS_PER_USER):
            self.citizens += common.create_citizens(self.client, 1, born=common.people.born(40, 74))
        self.offset = float(self.client.get("/api/clock", name="setup: /api/clock").json()["offset_seconds"])
        if not self.citizens:
            raise RuntimeError("could not create any citizen through POST /api/citizens")

    @task
    def book(self) -> None:
        if next(_numbers) >= quota(self.environment):
            if _state["in_flight"] == 0:
                finished(self.environment)
            gevent.sleep(0.5)
            return
        _state["in_flight"] += 1
        try:
            self.post_one()
        finally:
            _state["in_flight"] -= 1

    def post_one(self) -> None:
        citizen = self.rng.choice(self.citizens)
        booking_id = common.unique("SC")
        body = booking_body(
            booking_id, citizen["personnummer"], visit_time(self.offset, self.rng, 14, 60), self.rng, screening=True
        )
        with self.client.post(
            "/dispatch/api/bookings", json=body, name="/dispatch/api/bookings", catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")
                return
        common.ledger.record("booking", booking_id=booking_id, pnr=citizen["personnummer"], accepted_at=common.now())
