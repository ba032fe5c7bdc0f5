"""The dispatch core's migrations: its own alembic chain (``dispatchcore/migrations``) and
version table, beside — never inside — the simulator's."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

import dispatchcore.store  # noqa: F401  (registers the tables)
from dispatchcore.storage import Database, metadata  # noqa: F401

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "dispatch_alembic_version"


def alembic_config(db: Database) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade(db: Database) -> None:
    """Idempotent; the worker and the embedded web part run it before use."""
    command.upgrade(alembic_config(db), "head")


def regenerate_initial_migration() -> None:
    """``python -m dispatchcore.schema``: rewrite 0001 while nothing is released."""
    import tempfile

    for old in (MIGRATIONS / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/empty.sqlite")
        command.revision(alembic_config(db), message="dispatch core schema", autogenerate=True, rev_id="0001")
        db.dispose()


if __name__ == "__main__":
    regenerate_initial_migration()
