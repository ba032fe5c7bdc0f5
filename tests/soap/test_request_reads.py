"""A SOAP request's reads on SQLite (issue #12): the driver-cursor reads of the hot path
(platform generation, clock, citizen) run on the request thread's own DBAPI connection,
so a request checks nothing out of the pool for them; a request that needs more (a Core
select) still gets a pooled connection, returned with the request; PostgreSQL and an
in-memory database keep the pooled reader."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import event

import rivta
from contracts.bundle import builtin_bundle
from simulator.storage import Database, scope
from tests.soap.conftest import InProcess

PATH = "/userprofile/GetUserProfile/2/rivtabp21"


def _checkouts(engine) -> list[int]:
    counted: list[int] = []
    event.listen(engine.pool, "checkout", lambda *args: counted.append(1))
    return counted


def _ask(simulator: InProcess, pnr: str) -> bytes:
    contract = builtin_bundle()["GetUserProfile"]
    body = rivta.envelope(rivta.get_user_profile(contract, pnr), "SE2321000016-MVK")
    answer = simulator.client.post(PATH, data=body, headers=rivta.http_headers(contract, "SE-READS"))
    assert answer.status_code == 200, answer.data[:300]
    return answer.data


def test_the_hot_reads_check_nothing_out_of_the_pool(tmp_path):
    simulator = InProcess(tmp_path / "data")
    engine = simulator.app.config["RUNTIME"].db.engine
    pnr = "191212121212"
    first = _ask(simulator, pnr)  # the thread's connection is made here (one checkout, detached)
    counted = _checkouts(engine)
    for _ in range(5):
        assert _ask(simulator, pnr) == first
    assert counted == []
    assert b"<resultCode>OK</resultCode>" in first


def test_a_core_select_in_a_scope_gets_a_pooled_connection_returned_with_the_scope(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite'}")
    counted = _checkouts(db.engine)
    with scope.request_scope():
        with db.connect() as conn:
            assert conn.execute(sa.text("SELECT 41 + 1")).scalar() == 42
        assert db.engine.pool.checkedout() == 1
    assert db.engine.pool.checkedout() == 0
    assert len(counted) == 2  # the thread's own connection (detached at once) and the pooled one
    db.dispose()


def test_each_thread_reads_on_its_own_connection(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite'}")
    seen: list[object] = []

    def read() -> None:
        with scope.request_scope():
            with db.connect() as conn:
                seen.append(conn.connection.driver_connection)

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    read()
    read()
    assert len(seen) == 5 and len({id(c) for c in seen[:3]}) == 3
    assert seen[3] is seen[4]
    db.dispose()


@pytest.mark.parametrize(
    "url",
    ["sqlite://", pytest.param("postgresql+psycopg://postgres@127.0.0.1:5432/test", marks=pytest.mark.postgres)],
    ids=["sqlite-memory", "postgresql"],
)
def test_postgresql_and_an_in_memory_database_keep_the_pooled_reader(url):
    engine = sa.create_engine(url)  # (nothing connects until used; PostgreSQL's needs the postgres extra)
    assert scope._thread_driver(engine) is None
    engine.dispose()
