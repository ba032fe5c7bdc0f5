"""The fixed statements of the SOAP hot path, executed on the driver's own cursor: the
reads every request makes (:class:`FixedRead`) and the INSERTs of its write set
(:func:`insert_many`, used by the group commit).

Why by hand: a SQLAlchemy Core execute costs about 35 µs on this machine kind (execution
context, cache key, parameter and result wrappers) where SQLite answers a primary-key
SELECT in about 5 and takes a row in about 10; an AddMessage made three reads and three
INSERTs, and a group commit rarely holds more than one or two requests' sets (the GIL lets
few requests reach the commit at once), so the overhead was paid per request. The
statements are still written with SQLAlchemy and compiled once per dialect, so the SQL
text, the parameter style and the column types (``UtcDateTime`` and friends, through their
bind and result processors) stay SQLAlchemy's: only the execution is the driver's. What
SQLAlchemy would add at execution (a Python-side column default missing from the row, a
RETURNING) is not imitated: such a statement is left to SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any, NamedTuple

import sqlalchemy as sa


@contextlib.contextmanager
def driver_cursor(conn: sa.Connection) -> Iterator[Any]:
    """A cursor of the DBAPI connection under ``conn``, closed after the block."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    finally:
        cursor.close()


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
        rows, processors = self._fetch(conn, params, many=False)
        return None if rows is None else _processed(rows, processors)

    def all(self, conn: sa.Connection, **params: Any) -> list[tuple]:
        """Every row, each as :meth:`first` gives it."""
        rows, processors = self._fetch(conn, params, many=True)
        return [_processed(row, processors) for row in rows]

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        """The selected columns' keys, as a SQLAlchemy row's ``_mapping`` has them."""
        return tuple(str(column.key) for column in self.select.selected_columns)

    def _fetch(self, conn: sa.Connection, params: dict, many: bool) -> tuple[Any, list]:
        """(the first row or None, or every row; the columns' result processors)."""
        sql, positional, defaults = self._for(conn.dialect)
        values = {**defaults, **params}
        arguments: Any = tuple(values[name] for name in positional) if positional is not None else values
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]  # driver_cursor's work, inline
        try:
            cursor.execute(sql, arguments)
            rows = cursor.fetchall() if many else cursor.fetchone()
            processors = self._processors.get(conn.dialect.name)
            if processors is None:  # (two threads may both compute them: the same list)
                processors = self._processors[conn.dialect.name] = self._processors_for(
                    conn.dialect, cursor.description
                )
        finally:
            cursor.close()
        return rows, processors


def _processed(row: tuple, processors: list) -> tuple:
    return tuple(value if process is None else process(value) for value, process in zip(row, processors, strict=True))


class _Insert(NamedTuple):
    sql: str
    positional: bool
    # (bind name, the column type's bind processor or None), in the order a positional
    # driver takes the parameters
    pairs: tuple[tuple[str, Any], ...]


_inserts: dict[tuple, _Insert | None] = {}  # (statement, dialect, row keys): bounded by the code's statements


def _prepared_insert(statement, dialect, keys: frozenset) -> _Insert | None:
    key = (id(statement), dialect.name, keys)
    if key in _inserts:
        return _inserts[key]
    prepared = None
    # a bare ``table.insert()``: no VALUES of its own, no RETURNING
    plain = isinstance(statement, sa.Insert) and not statement._returning and not statement._values
    if plain and not statement._multi_values:
        compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
        if not compiled.insert_prefetch and set(compiled.binds) == set(keys):
            names = tuple(compiled.positiontup) if dialect.positional else tuple(sorted(keys))
            processors = (compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names)
            prepared = _Insert(compiled.string, dialect.positional, tuple(zip(names, processors, strict=True)))
    _inserts[key] = prepared  # (two threads may both prepare it: the same value)
    return prepared


def insert_many(conn: sa.Connection, statement, rows: list[dict], cursor: Any = None) -> bool:
    """Execute ``statement`` (an INSERT) for ``rows`` (dicts with the same keys) on the
    driver's cursor (``cursor``, or one of its own); False, having done nothing, if the
    statement needs SQLAlchemy."""
    prepared = _prepared_insert(statement, conn.dialect, frozenset(rows[0]))
    if prepared is None:
        return False
    pairs = prepared.pairs
    if prepared.positional:
        params: list = [[row[n] if p is None else p(row[n]) for n, p in pairs] for row in rows]
    else:
        params = [{n: row[n] if p is None else p(row[n]) for n, p in pairs} for row in rows]
    if cursor is None:
        with driver_cursor(conn) as own:
            _execute(own, prepared.sql, params)
    else:
        _execute(cursor, prepared.sql, params)
    return True


def _execute(cursor, sql: str, params: list) -> None:
    if len(params) == 1:
        cursor.execute(sql, params[0])
    else:
        cursor.executemany(sql, params)
