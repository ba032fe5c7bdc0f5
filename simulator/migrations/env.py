"""Alembic environment: the metadata is simulator.schema's; the engine is the caller's."""
from alembic import context

from simulator.schema import metadata

config = context.config


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        context.run_migrations()


run()
