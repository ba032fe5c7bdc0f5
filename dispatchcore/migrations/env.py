"""Alembic environment of the dispatch core: its metadata only, its own version table,
and only its own tables compared (the simulator's share the database)."""

from alembic import context

from dispatchcore.schema import VERSION_TABLE, metadata
from dispatchcore.storage import UtcDateTime

config = context.config


def render_item(kind, obj, autogen_context):
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and reflected and compare_to is None)


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
        )
        context.run_migrations()


run()
