"""The dispatch core's own storage: its alembic chain creates exactly its tables, with its
own version table, in the same SQLite file as the simulator's without touching them."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dispatchcore import schema as dispatch_schema
from dispatchcore.storage import Database as DispatchDatabase
from simulator import schema as simulator_schema
from simulator.storage import Database


def test_both_chains_share_a_file_each_with_its_own_tables_and_version_table(tmp_path):
    url = f"sqlite:///{tmp_path}/shared.sqlite"
    simulator_db, dispatch_db = Database(url), DispatchDatabase(url)
    simulator_schema.upgrade(simulator_db)
    dispatch_schema.upgrade(dispatch_db)
    dispatch_schema.upgrade(dispatch_db)  # idempotent
    names = set(sa.inspect(dispatch_db.engine).get_table_names())
    assert {"alembic_version", dispatch_schema.VERSION_TABLE} <= names
    assert set(dispatch_schema.metadata.tables) <= names and set(simulator_schema.metadata.tables) <= names
    assert not set(dispatch_schema.metadata.tables) & set(simulator_schema.metadata.tables)

    def ours(obj, name, type_, reflected, compare_to) -> bool:
        table = name if type_ == "table" else obj.table.name
        return table in dispatch_schema.metadata.tables

    with dispatch_db.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": ours})
        assert compare_metadata(context, dispatch_schema.metadata) == []
    simulator_db.dispose()
    dispatch_db.dispose()
