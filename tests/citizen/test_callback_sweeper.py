"""The callback sweeper in this process, against a real database and a loopback receiver:
claim, retry with backoff, give up, a dead claim's lease expiring, two "processes" (two
engines on one database) never holding the same row. Time is a ManualTime the test moves
(the sweeper's transport clock), so nothing here sleeps through a backoff."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
import sqlalchemy as sa

from simulator import schema
from simulator.citizen import callbacks
from simulator.citizen.callbacks import Policy, Sweeper
from simulator.citizen.store import CallbackStatus, CitizenSideStore, citizen_actions
from simulator.storage import Database
from simulator.storage.database import sqlite_url
from tests.citizen.callback_receiver import Receiver
from tests.support import ManualTime, SilentPort, prepared_data_dir, wait_for

START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
POLICY = Policy(delays=(1.0, 5.0), lease_seconds=30.0, timeout=2.0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        db = Database(url)
        schema.upgrade(db)
        db.dispose()
        return url
    return sqlite_url(prepared_data_dir(tmp_path / "data", seed=False))


@pytest.fixture()
def store(db_url):
    db = Database(db_url)
    yield CitizenSideStore(db)
    db.dispose()


@pytest.fixture()
def receiver():
    made: list[Receiver] = []

    def make(script=(), up=True) -> Receiver:
        made.append(Receiver(script))
        return made[-1].start() if up else made[-1]

    yield make
    for item in made:
        item.close()


def add_action(store: CitizenSideStore, url: str) -> str:
    """A citizen's Avboka as CitizenSide.act stores it: pending, due at once."""
    event_id = str(uuid.uuid4())
    store.add_action(
        {
            "event_id": event_id,
            "action": "cancel",
            "personnummer": "191212121212",
            "message_id": str(uuid.uuid4()),
            "business_object_id": "BO-1",
            "booking_id": "B-1",
            "source_system": "SE-CARE",
            "consumer": "SE-CARE",
            "created_at": dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC),
            "callback_url": url,
            "callback_status": "pending",
            "callback_attempts": 0,
        }
    )
    return event_id


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sweeper(store: CitizenSideStore, clock: ManualTime, owner: str = "p1") -> Sweeper:
    return Sweeper(store, now=clock, policy=POLICY, owner=owner)


def test_a_due_row_is_delivered_at_once_and_released(store, receiver):
    target = receiver()
    event_id = add_action(store, target.url)
    assert sweeper(store, ManualTime(START)).run_once() == 1
    assert target.event_ids == [event_id]
    assert target.received[0]["json"]["at"] == "2027-03-01T09:00:00+00:00"
    row = store.action(event_id)
    assert (row["callback_status"], row["callback_attempts"], row["callback_last_error"]) == ("delivered", 1, None)
    assert row["callback_lease_owner"] is None and row["callback_next_attempt_at"] is None
    assert store.callback_wait(START) is None  # nothing pending: a sweeper thread would stop


def test_a_failed_attempt_waits_for_its_backoff(store, receiver):
    target = receiver(up=False)  # the care system is down: connection refused
    event_id = add_action(store, target.url)
    clock = ManualTime(START)
    worker = sweeper(store, clock)
    assert worker.run_once() == 1
    row = store.action(event_id)
    assert (row["callback_status"], row["callback_attempts"]) == ("pending", 1)
    assert row["callback_last_error"].startswith("ConnectionError")
    assert row["callback_next_attempt_at"] == START + dt.timedelta(seconds=1)
    assert store.callback_wait(START) == 1.0
    clock.advance(0.9)
    assert worker.run_once() == 0, "not due yet"
    target.start()
    clock.advance(0.1)
    assert worker.run_once() == 1
    assert target.event_ids == [event_id]
    assert store.action(event_id)["callback_status"] == "delivered"


def test_it_gives_up_after_the_bounded_attempts_and_keeps_the_error(store, receiver):
    target = receiver(script=[503] * 10)
    event_id = add_action(store, target.url)
    clock = ManualTime(START)
    worker = sweeper(store, clock)
    for delay in (*POLICY.delays, None):
        assert worker.run_once() == 1
        if delay is not None:
            clock.advance(delay)
    row = store.action(event_id)
    assert (row["callback_status"], row["callback_attempts"]) == ("failed", POLICY.attempts)
    assert row["callback_last_error"] == "HTTP 503" and row["callback_next_attempt_at"] is None
    clock.advance(3600)
    assert worker.run_once() == 0 and len(target.received) == POLICY.attempts == 3


def test_a_dead_claims_lease_expires_and_another_process_takes_over(db_url, store, receiver):
    target = receiver()
    event_id = add_action(store, target.url)
    clock = ManualTime(START)
    lease_until = START + dt.timedelta(seconds=POLICY.lease_seconds)
    # process 1 claims the row and dies before it has tried (or while trying)
    [claimed] = store.claim_callbacks(START, lease_until, "p1:dead", 10)
    assert claimed["event_id"] == event_id and claimed["callback_lease_owner"] == "p1:dead"
    other = CitizenSideStore(Database(db_url))  # process 2: an engine of its own
    try:
        survivor = sweeper(other, clock, owner="p2")
        assert survivor.run_once() == 0, "the lease still holds"
        assert other.callback_wait(START) == POLICY.lease_seconds
        clock.advance(POLICY.lease_seconds)
        assert survivor.run_once() == 1
        assert target.event_ids == [event_id]
        # the dead claim's late outcome (had it been alive after all) changes nothing
        assert not store.finish_attempt(event_id, "p1:dead", CallbackStatus.FAILED, "late", None)
        row = store.action(event_id)
        assert (row["callback_status"], row["callback_attempts"], row["callback_last_error"]) == ("delivered", 1, None)
    finally:
        other.db.dispose()


def test_two_processes_never_claim_the_same_row(db_url, store):
    event_ids = {add_action(store, "http://127.0.0.1:9/never-tried") for _ in range(40)}
    lease_until = START + dt.timedelta(seconds=30)
    stores = [CitizenSideStore(Database(db_url)) for _ in range(2)]  # two engines, like two processes
    taken: dict[str, list[str]] = {"p0": [], "p1": []}
    barrier = threading.Barrier(2)

    def claim(index: int) -> None:
        barrier.wait()
        while True:
            rows = stores[index].claim_callbacks(START, lease_until, f"p{index}:{uuid.uuid4().hex}", 3)
            if not rows:
                return
            taken[f"p{index}"] += [r["event_id"] for r in rows]

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for other in stores:
            other.db.dispose()
    assert sorted(taken["p0"] + taken["p1"]) == sorted(event_ids), "every row claimed exactly once"
    with store.db.connect() as conn:
        unclaimed = conn.execute(sa.select(sa.func.count()).where(citizen_actions.c.callback_lease_owner.is_(None)))
        assert unclaimed.scalar_one() == 0


def test_the_thread_delivers_at_once_and_stops_when_nothing_is_pending(store, receiver):
    target = receiver(script=[500])
    event_id = add_action(store, target.url)
    worker = Sweeper(store, real_now, Policy(delays=(0.2,)))  # real time: one short backoff
    worker.wake()
    wait_for(lambda: store.action(event_id)["callback_status"] == "delivered", 10, "the retried delivery")
    assert target.event_ids == [event_id, event_id]  # at least once, the same event_id each time
    wait_for(lambda: not worker.running, 5, "the idle sweeper to stop")


def test_a_starting_process_takes_over_what_is_pending(store, receiver):
    """What a killed server left: pending rows, no thread. ``start`` (the app's wiring)
    finds them without any new action waking it."""
    target = receiver()
    event_id = add_action(store, target.url)
    worker = callbacks.start(store, real_now)
    try:
        wait_for(lambda: target.event_ids == [event_id], 10, "the pending event")
        wait_for(lambda: store.action(event_id)["callback_status"] == "delivered", 10, "the row to be delivered")
    finally:
        worker.stop()


def test_a_care_system_that_never_answers_delays_no_other(store, receiver):
    """Shared test bed: vendor A's endpoint hangs, vendor B's answers. B's callback goes out
    while A's attempt waits for its timeout, and A is never waited on twice at once."""
    silent, fine = SilentPort("/events"), receiver()
    try:
        hanging = [add_action(store, silent.url) for _ in range(3)]
        delivered = add_action(store, fine.url)
        worker = Sweeper(store, real_now, Policy(delays=(30.0,), timeout=3.0))
        worker.wake()
        wait_for(lambda: store.action(delivered)["callback_status"] == "delivered", 2.5, "B's callback")
        assert len(silent.held) == 1, "one attempt at a time to the URL that does not answer"
        assert all(store.action(e)["callback_status"] == "pending" for e in hanging)
        worker.stop()
    finally:
        silent.close()
