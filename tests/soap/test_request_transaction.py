"""The request's one transaction (simulator/storage/scope.py): writes of one SOAP request
are invisible to others until the endpoint commits, and all of them are undone together;
outside a request every write commits on its own, as before."""

from __future__ import annotations

import sqlalchemy as sa

from simulator.storage import Database, scope

ROWS = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("what", sa.Text))


def database(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'tx.sqlite'}")
    ROWS.create(db.engine)
    return db


def stored(db: Database) -> list[str]:
    with db.engine.connect() as conn:  # another connection, outside any request
        return [row.what for row in conn.execute(sa.select(ROWS.c.what).order_by(ROWS.c.id))]


def test_writes_of_a_request_commit_together_and_only_when_committed(tmp_path):
    db = database(tmp_path)
    with scope.request_scope():
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "message"})
        with scope.transaction(db, isolated=True) as conn:
            conn.execute(ROWS.insert(), {"what": "notification"})
        assert stored(db) == []
        scope.commit()
        assert stored(db) == ["message", "notification"]


def test_a_rolled_back_or_unfinished_request_stores_nothing(tmp_path):
    db = database(tmp_path)
    with scope.request_scope():
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "refused"})
        scope.rollback()
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "recorded fault"})
        scope.commit()
    with scope.request_scope():
        with scope.transaction(db) as conn:
            conn.execute(ROWS.insert(), {"what": "never committed"})
    assert stored(db) == ["recorded fault"]


def test_outside_a_request_every_write_commits_and_reads_use_their_own_connection(tmp_path):
    db = database(tmp_path)
    with scope.transaction(db) as conn:
        conn.execute(ROWS.insert(), {"what": "control api"})
    assert stored(db) == ["control api"]
    with db.connect() as first, db.connect() as second:
        assert first is not second
    with scope.request_scope(), db.connect() as first, db.connect() as second:
        assert first is second  # one read connection per request
