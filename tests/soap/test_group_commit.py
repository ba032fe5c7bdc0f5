"""Group commit (simulator/storage/scope.py): the write sets of concurrent requests are
written in shared transactions, each request's commit returns only once its own set is
committed, a failing set is undone alone, and a failed isolated write reaches its
failure handler while the rest of its set is kept."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from simulator.storage import Database, scope

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
