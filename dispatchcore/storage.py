"""The care system's own storage: its own SQLAlchemy metadata and engine. By default the
dispatch tables live in the same SQLite file (or PostgreSQL database) as the simulator's —
one file to hand around, one server to run — but in their own alembic chain with their own
version table (``dispatch_alembic_version``), so neither system migrates the other's
tables. ``--database-url`` may point the dispatch core anywhere else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

metadata = sa.MetaData()


class UtcDateTime(sa.types.TypeDecorator):
    """An instant, read back as aware UTC (SQLite stores no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


def sqlite_url(data_dir: Path) -> str:
    """The embedded default: the file ``kallelse serve`` uses in its data folder."""
    return f"sqlite:///{Path(data_dir).resolve() / 'kallelse.sqlite'}"


def _sqlite_pragmas(dbapi_connection, _record):
    """WAL beside the simulator's writers; NORMAL sync survives SIGKILL (the crash tests);
    a long busy timeout to queue for the shared write lock."""
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class Database:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8, max_overflow=16
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_size=8, max_overflow=16, pool_pre_ping=True)

    def begin(self):
        return self.engine.begin()

    def connect(self):
        return self.engine.connect()

    def dispose(self):
        self.engine.dispose()

    def __repr__(self):
        return f"Database({self.engine.url.render_as_string(hide_password=True)})"
