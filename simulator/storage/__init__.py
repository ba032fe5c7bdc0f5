"""Storage: one SQLAlchemy Core ``metadata`` that every service package adds its tables
to, the engine set-up for SQLite (embedded default) and PostgreSQL (scale path), alembic
migrations, and group commit for the write hot path."""
from simulator.storage.database import Database, metadata  # noqa: F401
