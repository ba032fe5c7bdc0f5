"""Every table of the simulator, for alembic and for ``create_app``: importing a
service's store module registers its tables on the shared metadata."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

import simulator.auth.store
import simulator.citizen.smsgateway
import simulator.citizen.store
import simulator.inbox.store
import simulator.platform.store
import simulator.platform.trafficstore
import simulator.population.store
import simulator.storage.alarms
import simulator.storage.clockstore  # noqa: F401
from simulator.storage import Database, metadata  # noqa: F401

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(db: Database) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade(db: Database) -> None:
    """Bring the database to the newest schema (idempotent; run before serving)."""
    command.upgrade(alembic_config(db), "head")


def regenerate_initial_migration() -> None:
    """Development helper while nothing has been released: rewrite 0001 from the tables
    the store modules define (``python -m simulator.schema``). After the first release,
    add new revisions instead."""
    import tempfile

    for old in (MIGRATIONS / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/empty.sqlite")
        command.revision(alembic_config(db), message="initial schema", autogenerate=True, rev_id="0001")
        db.dispose()


if __name__ == "__main__":
    regenerate_initial_migration()
