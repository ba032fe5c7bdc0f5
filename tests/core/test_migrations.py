"""The alembic migrations create exactly the tables the code defines, on SQLite and on
PostgreSQL: a table added without a migration fails here."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from simulator import schema
from simulator.storage import Database


def _diff(url):
    db = Database(url)
    schema.upgrade(db)
    schema.upgrade(db)  # idempotent
    with db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    db.dispose()
    return diff


def test_migrations_match_the_tables_on_sqlite(tmp_path):
    assert _diff(f"sqlite:///{tmp_path}/m.sqlite") == []


@pytest.mark.postgres
def test_migrations_match_the_tables_on_postgres(postgres_url):
    assert _diff(postgres_url) == []
