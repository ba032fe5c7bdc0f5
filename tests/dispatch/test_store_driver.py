"""The worker's hot reads and writes run on the driver's own cursor (store.booking_and_steps,
store.set_step): what they read and write must be exactly what SQLAlchemy's statements
read and write, on SQLite (instants as text, compared as text by the due queries) and on
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dispatchcore import schema
from dispatchcore.states import StepKind, StepState
from dispatchcore.storage import Database
from dispatchcore.store import DispatchStore

NOW = dt.datetime(2026, 12, 1, 4, 5, 6, 789, tzinfo=dt.UTC)
CET = dt.timezone(dt.timedelta(hours=1))


def booking(store: DispatchStore, booking_id: str) -> None:
    values = {
        "booking_id": booking_id,
        "personnummer": "198001019804",
        "profile": "rjl",
        "kind": "invitation",
        "data": json.dumps({"booking_id": booking_id, "å": "ä"}),
        "revision": 1,
        "business_object_id": f"kallelse:rjl:{booking_id}",
        "cancelled": False,
        "manual": False,
        "created_at": NOW,
        "updated_at": NOW,
    }
    with store.db.begin() as conn:
        assert store.insert_booking(conn, values)
        store.new_step(conn, booking_id, "decide:1", StepKind.DECIDE, NOW, "LK-01", {"revision": 1})
        store.new_step(conn, booking_id, "paper:1", StepKind.PAPER, NOW + dt.timedelta(hours=1), "CH-02", {})


def check(store: DispatchStore) -> None:
    booking(store, "B-1")
    with store.db.begin() as conn:
        store.update_booking(conn, "B-1", outcome="paper_only", manual=True, read_at=NOW.astimezone(CET))
        first, second = store.steps_for("B-1", conn)
        store.set_step(conn, first.id, state=StepState.SENDING, payload=json.dumps({"position": 1}))
        store.set_step(conn, first.id, state=StepState.DONE, done_at=NOW.astimezone(CET), result={"text": "å"})
        store.set_step(conn, second.id, attempts=2, due_at=NOW - dt.timedelta(minutes=1), result={"retry": 2})
    with store.db.connect() as conn:
        read = store.booking_and_steps("B-1", conn)
        assert read == (store.booking("B-1", conn), store.steps_for("B-1", conn))
        assert store.booking_and_steps("nobody", conn) == (None, [])
    row, (retried, done) = read
    assert row.manual and not row.cancelled and row.read_at == NOW and row.outcome == "paper_only"
    assert row.data == {"booking_id": "B-1", "å": "ä"} and row.created_at == NOW
    assert (done.state, done.done_at, done.result, done.payload) == (
        StepState.DONE,
        NOW,
        {"text": "å"},
        {"position": 1},
    )
    assert (retried.attempts, retried.due_at, retried.result) == (2, NOW - dt.timedelta(minutes=1), {"retry": 2})
    # the due queries compare the stored instants: the retried step is due a minute before NOW
    assert store.count_due(NOW - dt.timedelta(seconds=61)) == 0
    assert store.count_due(NOW) == 1


def test_driver_reads_and_writes_match_sqlalchemy_on_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/dispatch.sqlite")
    schema.upgrade(db)
    check(DispatchStore(db))
    db.dispose()


@pytest.mark.postgres
def test_driver_reads_and_writes_match_sqlalchemy_on_postgresql(postgres_url):
    db = Database(postgres_url)
    schema.upgrade(db)
    check(DispatchStore(db))
    db.dispose()


def test_set_step_refuses_a_column_the_table_does_not_have(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/dispatch.sqlite")
    schema.upgrade(db)
    store = DispatchStore(db)
    booking(store, "B-2")
    with pytest.raises(ValueError, match="no column"), db.begin() as conn:
        store.set_step(conn, 1, **{"state = 'done' --": "x"})
    db.dispose()
