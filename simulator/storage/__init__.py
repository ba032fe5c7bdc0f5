"""Storage: one SQLAlchemy Core ``metadata`` that every service package adds its tables
to, the engine set-up for SQLite (embedded default) and PostgreSQL (scale path), the
shared clock state, and a per-request memo for shared state read on the hot path. (Group
commit was measured and not adopted: docs/performance.md.)"""

from simulator.storage.database import Database, UtcDateTime, metadata  # noqa: F401
