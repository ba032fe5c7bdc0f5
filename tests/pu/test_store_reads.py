"""The citizen reads PU makes per call (:meth:`CitizenStore.stored_many`, ``linked_to``),
written by hand on the driver's cursor: the same rows as SQLAlchemy's own ``in_()``, on
SQLite and PostgreSQL, and through the fallback for drivers of another parameter style."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from simulator import schema
from simulator.population import store as store_module
from simulator.population.seed import seed_population
from simulator.population.store import CitizenStore, citizens
from simulator.storage import Database
from tests.pu.golden import extra_citizens
from tests.pu.test_records import TODAY


def _check(db: Database) -> None:
    schema.upgrade(db)
    people = CitizenStore(db)
    people.replace_seeded(seed_population(TODAY))
    people.save_many(extra_citizens())
    every = sorted(c.personnummer for c in people.all())
    asked = every[::3] + ["191212121213", "nobody", every[0]]
    with db.connect() as conn:
        rows = dict(conn.execute(sa.select(citizens.c.personnummer, citizens.c.data)).all())
        links = conn.execute(
            sa.select(citizens.c.personnummer, citizens.c.linked_identity).order_by(citizens.c.personnummer)
        ).all()
    assert people.stored_many(asked) == {p: rows[p] for p in asked if p in rows}
    assert {p: json.loads(d)["personnummer"] for p, d in people.stored_many(every).items()} == {p: p for p in every}
    mains = sorted({main for _, main in links if main})
    expected: dict[str, list[str]] = {}
    for reserve, main in links:
        if main in mains:
            expected.setdefault(main, []).append(reserve)
    assert expected and people.linked_to([*mains, "nobody"]) == expected
    assert people.stored_many([]) == {} and people.linked_to([]) == {}


def test_reads_on_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'pu.sqlite'}")
    try:
        _check(db)
    finally:
        db.dispose()


def test_reads_through_sqlalchemy_for_another_parameter_style(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "_PLACEHOLDERS", {})
    db = Database(f"sqlite:///{tmp_path / 'pu.sqlite'}")
    try:
        _check(db)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_reads_on_postgres(postgres_url):
    db = Database(postgres_url)
    try:
        _check(db)
    finally:
        db.dispose()
