"""Storage: one SQLAlchemy Core ``metadata`` that every service package adds its tables
to, the engine set-up for SQLite (embedded default) and PostgreSQL (scale path), the
shared clock state, the request scope of the SOAP hot path (its memo, its one write set and
the group commit that writes it: ``scope.py``) and the fixed reads it runs on the driver's
cursor (``fixed.py``)."""

from simulator.storage.database import Database, UtcDateTime, metadata  # noqa: F401
