"""Group commit (simulator/storage/scope.py): the write sets of concurrent requests are
written in shared transactions, each request's commit returns only once its own set is
committed, a failing set is undone alone, and a failed isolated write reaches its
failure handler while the rest of its set is kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from simulator.storage import Database, checkpoint, fixed, scope

ROWS = sa.Table(
    "rows",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("what", sa.Text, unique=True),
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'gc.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    )
    database = Database(url)
    ROWS.create(database.engine)
    yield database
    database.dispose()


def stored(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {row.what for row in conn.execute(sa.select(ROWS.c.what))}


def test_concurrent_requests_share_commits_and_each_returns_after_its_own(db):
    group = scope.GroupCommit.of(db)
    seen_after_commit: list[bool] = []
    lock = threading.Lock()

    def request(n: int) -> None:
        with scope.request_scope():
            with scope.transaction(db) as conn:
                conn.execute(ROWS.insert(), {"what": f"m{n}"})
            with scope.transaction(db, isolated=True) as conn:
                conn.execute(ROWS.insert(), {"what": f"t{n}"})
            scope.commit()
            with lock:
                seen_after_commit.append({f"m{n}", f"t{n}"} <= stored(db))

    threads = [threading.Thread(target=request, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(seen_after_commit) and len(seen_after_commit) == 40
    assert stored(db) == {f"{kind}{n}" for kind in "mt" for n in range(40)}
    assert group.sets == 40 and 1 <= group.batches <= 40


def test_a_failing_set_is_undone_alone_and_a_failed_isolated_write_calls_its_handler(db):
    with scope.request_scope():
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "taken"})
        scope.commit()

    failures: list[BaseException] = []
    with scope.request_scope():
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "kept message"})
        with scope.failure_handler(failures.append), scope.transaction(db, isolated=True) as conn:
            conn.execute(ROWS.insert(), {"what": "taken"})  # unique violation: isolated
        with scope.transaction(db, isolated=True) as conn:
            conn.execute(ROWS.insert(), {"what": "kept traffic"})
        scope.commit()
    assert len(failures) == 1 and isinstance(failures[0], sa.exc.IntegrityError)
    assert stored(db) == {"taken", "kept message", "kept traffic"}

    with scope.request_scope():
        with scope.transaction(db, isolated=True) as conn:
            conn.execute(ROWS.insert(), {"what": "undone traffic"})
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "taken"})  # a required write fails: the whole set goes
        try:
            scope.commit()
        except sa.exc.IntegrityError:
            pass
        else:
            raise AssertionError("the failed required write must fail the commit")
    assert "undone traffic" not in stored(db)


INSERT = ROWS.insert()  # one statement object, as the stores keep theirs


def _queued_together(db, requests) -> scope.GroupCommit:
    """Run ``requests`` (callables) in threads while the leader lock is held, so that one
    leader writes all their sets in one batch."""
    group = scope.GroupCommit.of(db)
    threads = [threading.Thread(target=r) for r in requests]
    with group._leader:
        for thread in threads:
            thread.start()
        while len(group._queue) < len(requests):
            threading.Event().wait(0.01)
    for thread in threads:
        thread.join()
    return group


def _request(db, message: str, traffic: str, errors: list, failures: list):
    def run() -> None:
        with scope.request_scope():
            with scope.transaction(db) as conn:
                conn.execute(INSERT, {"what": message})
            with scope.failure_handler(failures.append), scope.transaction(db, isolated=True) as conn:
                conn.execute(INSERT, [{"what": traffic}])
            try:
                scope.commit()
            except Exception as exc:
                errors.append(exc)

    return run


def test_a_batch_of_plain_sets_is_written_grouped_in_one_transaction(db, monkeypatch):
    errors: list = []
    calls: list[int] = []  # rows per INSERT execution on the driver's cursor
    insert_many = fixed.insert_many
    monkeypatch.setattr(
        fixed,
        "insert_many",
        lambda conn, stmt, rows, cursor=None: calls.append(len(rows)) or insert_many(conn, stmt, rows, cursor),
    )
    batches_before = scope.GroupCommit.of(db).batches
    group = _queued_together(db, [_request(db, f"m{n}", f"t{n}", errors, []) for n in range(12)])
    assert not errors
    assert group.batches == batches_before + 1  # one transaction for the twelve sets
    assert calls == [24]  # all 24 rows in one executemany
    assert stored(db) == {f"{kind}{n}" for kind in "mt" for n in range(12)}


def test_a_failure_inside_a_grouped_batch_falls_back_to_one_set_at_a_time(db):
    with scope.request_scope():
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "taken"})
        scope.commit()
    errors: list = []
    failures: list = []
    requests = [_request(db, f"m{n}", f"t{n}", errors, failures) for n in range(5)]
    requests.append(_request(db, "taken", "t-of-a-failed-message", errors, failures))  # required write fails
    requests.append(_request(db, "m-with-taken-traffic", "taken", errors, failures))  # isolated write fails
    _queued_together(db, requests)
    assert len(errors) == 1 and isinstance(errors[0], sa.exc.IntegrityError)
    assert len(failures) == 1 and isinstance(failures[0], sa.exc.IntegrityError)
    assert stored(db) == {"taken", "m-with-taken-traffic"} | {f"{kind}{n}" for kind in "mt" for n in range(5)}


def test_sqlite_checkpoints_run_beside_the_commits_not_inside_them(tmp_path):
    """The group-commit connection leaves the WAL copy to the checkpointer's thread
    (simulator/storage/checkpoint.py), which runs once enough sets were committed."""
    db = Database(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    ROWS.create(db.engine)
    group = scope.GroupCommit.of(db)
    for n in range(checkpoint.EVERY_SETS + 5):
        with scope.request_scope():
            with scope.transaction(db) as conn:
                conn.execute(INSERT, {"what": f"r{n}"})
            scope.commit()
    autocheckpoint = group._conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert autocheckpoint == checkpoint.SAFETY_PAGES
    deadline = time.monotonic() + 10
    while group.checkpointer.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group.checkpointer.runs >= 1
    db.dispose()


OTHER_INSERT = ROWS.insert()  # a second statement object: a group of its own


def _writes(db, *writes: tuple) -> Callable[[], None]:
    def run() -> None:
        with scope.request_scope():
            for statement, what in writes:
                with scope.transaction(db, isolated=True) as conn:
                    conn.execute(statement, {"what": what})
            scope.commit()

    return run


def test_sets_of_different_kinds_keep_their_own_order_and_an_order_no_group_can_keep_falls_back(db):
    _queued_together(
        db,
        [
            _writes(db, (OTHER_INSERT, "a1")),
            _writes(db, (INSERT, "b1"), (OTHER_INSERT, "b2")),
            _writes(db, (INSERT, "c1"), (OTHER_INSERT, "c2"), (INSERT, "c3")),  # no grouped order keeps this
        ],
    )
    assert stored(db) == {"a1", "b1", "b2", "c1", "c2", "c3"}
    assert scope._order([[("x",), ("y",)], [("y",)]]) == [("x",), ("y",)]
    assert scope._order([[("x",), ("y",), ("x",)]]) is None
    assert scope._order([[("x",), ("y",)], [("y",), ("x",)]]) is None
