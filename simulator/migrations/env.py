"""Alembic environment: the metadata is simulator.schema's; the engine is the caller's."""

from alembic import context

from simulator.schema import metadata
from simulator.storage import UtcDateTime

config = context.config


def render_item(kind, obj, autogen_context):
    """Migrations are DDL: our UtcDateTime is a TIMESTAMP WITH TIME ZONE column."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine

        url = config.get_main_option("sqlalchemy.url")
        assert url, "alembic.ini or the caller sets sqlalchemy.url"
        engine = create_engine(url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
        )
        context.run_migrations()


run()
