"""The hot-path fix in simulator.storage.scope: inside one SOAP request the shared clock
state is read from the database once; a change made elsewhere (another worker, the
control API) is seen by the next request; a change inside the request is seen at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from simulator import schema
from simulator.storage import Database
from simulator.storage.clockstore import ClockStore
from simulator.storage.scope import request_scope

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def clock_reads(db: Database) -> list[str]:
    """Every SELECT of the clock state SQLite runs, whoever sends it: the hot path reads
    on the driver's cursor (storage/fixed.py), past SQLAlchemy's events."""
    seen: list[str] = []

    def trace(statement: str) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "clock_state" in statement:
            seen.append(statement)

    db.engine.dispose()  # connections made from now on are traced
    event.listen(db.engine, "connect", lambda dbapi_connection, _record: dbapi_connection.set_trace_callback(trace))
    return seen


def test_one_read_per_request_and_changes_seen_by_the_next_request(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'clock.sqlite'}")
    schema.upgrade(db)
    worker, other_worker = ClockStore(db), ClockStore(Database(db.url))
    other_worker.command({"set": T0.isoformat(), "freeze": True})
    reads = clock_reads(db)

    with request_scope():
        assert [worker.clock.now() for _ in range(3)] == [T0] * 3
    assert len(reads) == 1

    other_worker.command({"advance": "PT1H"})
    with request_scope():
        assert worker.clock.now() == T0 + dt.timedelta(hours=1)
        worker.command({"advance": "PT1H"})  # a change inside the request
        assert worker.clock.now() == T0 + dt.timedelta(hours=2)

    assert worker.clock.now() == T0 + dt.timedelta(hours=2)  # outside a scope: always read
    before = len(reads)
    worker.clock.now()
    worker.clock.now()
    assert len(reads) == before + 2
