"""A fixed SELECT that the SOAP hot path runs on every request, executed on the driver's
own cursor.

Why by hand: a SQLAlchemy Core execute costs about 35 µs on this machine kind (execution
context, cache key, result wrapper) where SQLite answers a primary-key SELECT in about 5;
every SOAP request made three such reads (platform generation, clock, citizen), a tenth of
an AddMessage. The statement is still written with SQLAlchemy and compiled once per
dialect, so the SQL text, the parameter style and the column types (``UtcDateTime`` and
friends) stay SQLAlchemy's: only the execution is the driver's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import sqlalchemy as sa


class _Compiled(NamedTuple):
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, for qmark/format drivers
    defaults: dict[str, Any]


class FixedRead:
    """``FixedRead(select).first(conn, **params)`` → the first row as a tuple (each column
    through its type's result processor), or None."""

    def __init__(self, select: sa.Select):
        self.select = select
        self._compiled: dict[str, _Compiled] = {}
        self._processors: dict[str, list] = {}  # per dialect, from the first execution's cursor

    def _for(self, dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.select.compile(dialect=dialect)
            found = self._compiled[dialect.name] = _Compiled(
                compiled.string,
                tuple(compiled.positiontup or ()) if dialect.positional else None,
                dict(compiled.params),  # the literals of the statement (``id == 1``)
            )
        return found

    def _processors_for(self, dialect, description) -> list:
        """Each column's result processor, for the driver's type code of the column (as
        SQLAlchemy picks them: psycopg's numeric processor depends on it)."""
        return [
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(self.select.selected_columns, description, strict=True)
        ]

    def first(self, conn: sa.Connection, **params: Any) -> tuple | None:
        sql, positional, defaults = self._for(conn.dialect)
        values = {**defaults, **params}
        arguments: Any = tuple(values[name] for name in positional) if positional is not None else values
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, arguments)
            row = cursor.fetchone()
            processors = self._processors.get(conn.dialect.name)
            if processors is None:  # (two threads may both compute them: the same list)
                processors = self._processors[conn.dialect.name] = self._processors_for(
                    conn.dialect, cursor.description
                )
        finally:
            cursor.close()
        if row is None:
            return None
        return tuple(
            value if process is None else process(value) for value, process in zip(row, processors, strict=True)
        )
