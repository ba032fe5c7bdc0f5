"""Engine creation and the small amount of dialect care the two databases need."""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from simulator.storage import scope

log = logging.getLogger(__name__)

metadata = sa.MetaData()


class UtcDateTime(sa.types.TypeDecorator):
    """An instant, always read back as an aware UTC datetime.

    PostgreSQL keeps the offset; SQLite keeps none and hands back naive values. Every
    table uses this type so no store has to remember to re-attach UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / 'kallelse.sqlite'}"


def _sqlite_pragmas(dbapi_connection, _record):
    """WAL lets readers run beside the writer. ``synchronous=NORMAL`` in WAL mode makes a
    commit durable against a crash of the process (the SIGKILL test) without an fsync per
    commit; only an OS crash or power loss can lose the last transactions, which is the
    right trade for a test bed (docs/architecture.md)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def require_postgres_extra() -> None:
    """PostgreSQL is the optional scale path: its driver and job queue come with the
    ``postgres`` extra, so a plain install says what to add instead of an ImportError deep
    inside SQLAlchemy or procrastinate."""
    missing = [name for name in ("psycopg", "procrastinate") if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(
            f"PostgreSQL needs the [postgres] extra (missing: {', '.join(missing)}): "
            "pip install 'kallelse-testbed[postgres]'"
        )


class Database:
    """The engine plus helpers; one per process."""

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
            require_postgres_extra()
            self.engine = sa.create_engine(url, pool_size=8, max_overflow=16, pool_pre_ping=True)

    def begin(self):
        """A connection in a transaction that commits on success, rolls back on error."""
        return self.engine.begin()

    def connect(self):
        """A connection to read with; inside a SOAP request the request's shared one
        (storage/scope.py), which the scope closes."""
        return scope.reader(self.engine) or self.engine.connect()

    def dispose(self):
        self.engine.dispose()

    def __repr__(self):
        return f"Database({self.engine.url.render_as_string(hide_password=True)})"
