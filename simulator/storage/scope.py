"""Per-request state for the SOAP hot path: a memo for shared state read several times,
and the request's one write transaction.

Memo. Shared state lives in the database (gunicorn workers share nothing else), so
every ``clock.now()`` used to be a SELECT: an AddMessage asked three times (the producer,
the citizen notifications, the traffic recorder), about a fifth of its CPU. Inside
:func:`request_scope` the first read is remembered until the request ends, so one request
also sees one consistent clock setting. Outside a scope (control API, tests calling code
directly) every read goes to the database as before.

Transaction. An AddMessage used to commit three times (message, notification, traffic
row); a commit is the dearest statement of a request. Stores that write on the hot path
ask :func:`transaction` (or :func:`defer`) instead of ``db.begin()``: inside a request
scope their statements are collected as the request's *write set*, and the endpoint hands
the set over with :func:`commit`, after the exchange is recorded and *before* the answer
is sent. :func:`commit` returns once a transaction holding the whole set has committed,
so an OK still means stored — message, notification and traffic row together or none of
them. Writes that must not wait for the request (a behaviour rule's claim before its
delay) keep using ``db.begin()``. Outside a scope :func:`transaction` is ``db.begin()``.

Group commit (:class:`GroupCommit`). The write sets of concurrent requests of one process
are written by one connection in one transaction: the first request thread to commit
becomes the leader and writes every set queued by then (each in a SAVEPOINT, so one
failing set is undone alone), commits once and wakes the others; a request that queued
while a leader was busy is written by the next leader. No thread of its own, so nothing
is left queued when a worker stops: a request that got no answer had its set written or
not, as before. The write lock of SQLite is held only for the statements themselves
(``BEGIN IMMEDIATE`` ... ``COMMIT``), never while a request runs Python code, and one
commit serves many requests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import graphlib
import logging
import os
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import IO, Any, TypeVar

from simulator.storage import checkpoint, fixed

T = TypeVar("T")
log = logging.getLogger(__name__)

Operation = Callable[[Any], object]  # op(connection): one write of a write set
OnError = Callable[[BaseException], None]

_memo: ContextVar[dict | None] = ContextVar("kallelse_request_memo", default=None)
# The request's write set per database engine (id(engine) -> (db, [_Write])), while a request scope runs.
_open: ContextVar[dict | None] = ContextVar("kallelse_request_transactions", default=None)
# What to do when an isolated write of this part of the request fails at commit (the alarm).
_on_error: ContextVar[OnError | None] = ContextVar("kallelse_write_failure", default=None)
# While a leader writes a batch: id(engine) -> the connection in that batch's transaction,
# so that writes made during the batch (an alarm about a failed write) join it.
_flushing: ContextVar[dict | None] = ContextVar("kallelse_flushing", default=None)
# One read connection per database engine, while a request scope runs.
_readers: ContextVar[dict | None] = ContextVar("kallelse_request_readers", default=None)


class request_scope:  # lower case: used like the function it was, ``with request_scope():``
    """The scope of one SOAP request: its memo, its write set and its read connections,
    gone when the block ends (what was not committed is forgotten). A class rather than a
    generator context manager: it runs on every request."""

    __slots__ = ("_tokens",)

    def __enter__(self) -> None:
        self._tokens = (_memo.set({}), _open.set({}), _readers.set({}))

    def __exit__(self, *exc_info: object) -> None:
        memo_token, open_token, readers_token = self._tokens
        try:
            rollback()  # whatever the endpoint did not commit (it commits before answering)
            for conn in (_readers.get() or {}).values():
                conn.close()
        finally:
            _memo.reset(memo_token)
            _open.reset(open_token)
            _readers.reset(readers_token)


def reader(engine) -> contextlib.AbstractContextManager | None:
    """Inside a request scope, the request's one read connection (``Database.connect``
    hands it out instead of checking a new one out of the pool for every SELECT: a pool
    checkout and its reset cost more than the small SELECTs of a request). None outside
    a scope.

    On a SQLite file it is a :class:`_ThreadReader`: the driver-cursor reads of the hot
    path (``fixed.FixedRead``, ``fixed.driver_cursor``) run on a DBAPI connection the
    request thread keeps for its life, and a pooled connection is checked out only if
    the request asks for more. The pool's checkout and return (a queue, events, a
    Connection object, the reset) cost ~35 µs per request, more than the three SELECTs
    of a GetUserProfile together."""
    readers = _readers.get()
    if readers is None:
        return None
    key = id(engine)
    if key not in readers:
        driver = _thread_driver(engine)
        readers[key] = engine.connect() if driver is None else _ThreadReader(engine, driver)
    return contextlib.nullcontext(readers[key])


class _Driver:
    """What ``fixed.driver_cursor`` reads of a connection: its DBAPI connection."""

    __slots__ = ("driver_connection",)

    def __init__(self, driver_connection: Any):
        self.driver_connection = driver_connection


class _ThreadReader:
    """A request's read connection on SQLite (see :func:`reader`): ``dialect`` and
    ``connection.driver_connection`` (the thread's own DBAPI connection) for driver-cursor
    reads; any other use (a Core ``execute``) goes to a pooled Connection checked out on
    first use and returned with the scope. Reads never open a transaction on the thread's
    connection (the driver begins one only before a write, and a driver cursor is closed
    after its read), so it holds no snapshot that would keep a checkpoint waiting."""

    def __init__(self, engine: Any, driver: Any):
        self.engine = engine
        self.dialect = engine.dialect
        self.connection = _Driver(driver)
        self._pooled: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._pooled is None:
            self._pooled = self.engine.connect()
        return getattr(self._pooled, name)

    def close(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            pooled.close()


@dataclasses.dataclass
class _ThreadDriver:
    engine: weakref.ref
    pid: int
    fairy: Any  # the detached pool connection; its DBAPI connection is the reads'


class _ThreadDrivers(threading.local):
    """Per thread: the DBAPI connection of each live SQLite engine's reads."""

    def __init__(self) -> None:
        self.by_engine: dict[int, _ThreadDriver] = {}  # id(engine) ->


_drivers = _ThreadDrivers()


def _thread_driver(engine) -> Any:
    """This thread's DBAPI connection to a SQLite file for ``engine``, made once per thread
    and process (None for another database: a PostgreSQL connection per request thread
    would be too many). It comes from the pool with the engine's connect hooks run (the
    pragmas), then is detached, so the pool's capacity is untouched; it is closed when the
    thread or the engine goes. One per thread and live engine: bounded by the worker's
    threads."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    found = _drivers.by_engine.get(id(engine))
    if found is None or found.engine() is not engine or found.pid != os.getpid():
        _forget_dead(_drivers.by_engine)
        fairy = engine.raw_connection()
        fairy.detach()
        found = _drivers.by_engine[id(engine)] = _ThreadDriver(weakref.ref(engine), os.getpid(), fairy)
    return found.fairy.dbapi_connection  # (a detached fairy keeps only this name; sqlite3 needs no adaption)


def _forget_dead(drivers: dict[int, _ThreadDriver]) -> None:
    """Close the connections of engines that are gone (a test makes one per application)
    and of another process (inherited through a fork: never to be used here)."""
    for key, driver in list(drivers.items()):
        if driver.engine() is None or driver.pid != os.getpid():
            del drivers[key]
            if driver.pid == os.getpid():
                with contextlib.suppress(Exception):
                    driver.fairy.close()


def memoized(key: Hashable, load: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def forget(key: Hashable) -> None:
    """Drop a remembered value (the request itself changed the state)."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


@dataclasses.dataclass
class _Write:
    op: Operation
    isolated: bool
    on_error: OnError | None
    # For a plain ``execute(statement, parameters)``: what the leader may group with the
    # same statement of other requests into one executemany (see GroupCommit._write_grouped).
    statement: Any = None
    rows: list[dict] | None = None


class _Deferred:
    """What :func:`transaction` yields inside a request scope: ``execute`` adds the
    statement to the request's write set and returns None (results are not available
    before the commit; a store that needs one uses :func:`defer` outside a scope only)."""

    def __init__(self, writes: list[_Write], isolated: bool):
        self._writes = writes
        self._isolated = isolated

    def execute(self, statement, parameters=None) -> None:
        rows = _rows_of(parameters)
        self._writes.append(
            _Write(lambda conn: conn.execute(statement, parameters), self._isolated, _on_error.get(), statement, rows)
        )


def _rows_of(parameters) -> list[dict] | None:
    """The parameter rows of a groupable write: a dict or a non-empty list of dicts."""
    if isinstance(parameters, dict):
        return [parameters]
    if isinstance(parameters, list) and parameters and all(isinstance(p, dict) for p in parameters):
        return parameters
    return None


class failure_handler:  # lower case: used like the function it was
    """Isolated writes queued inside this block call ``on_error(exc)`` if they fail when
    the request commits (the caller raises its alarm there); outside a request the
    write fails at once, as before. A class: it runs on every request."""

    __slots__ = ("on_error", "_token")

    def __init__(self, on_error: OnError):
        self.on_error = on_error

    def __enter__(self) -> None:
        self._token = _on_error.set(self.on_error)

    def __exit__(self, *exc_info: object) -> None:
        _on_error.reset(self._token)


def _pending(db) -> list[_Write] | None:
    opened = _open.get()
    if opened is None:
        return None
    key = id(db.engine)
    if key not in opened:
        opened[key] = (db, [])
    return opened[key][1]


@contextlib.contextmanager
def transaction(db, isolated: bool = False) -> Iterator[Any]:
    """A connection to write with: inside a scope one that adds to the request's write
    set (see the module docstring), else a transaction of its own. ``isolated`` writes
    (the traffic row, the notifications: parts whose failure must not undo the message)
    run in a SAVEPOINT on PostgreSQL, where a failed statement would otherwise abort the
    whole transaction; SQLite undoes only the failed statement anyway. A failed isolated
    write calls the :func:`failure_handler` in force when it was queued."""
    flushing = _flushing.get()
    if flushing is not None and id(db.engine) in flushing:  # an alarm raised while a batch is written
        conn = flushing[id(db.engine)]
        with _savepoint(conn, not db.is_sqlite):
            yield conn
        return
    writes = _pending(db)
    if writes is None:
        with db.begin() as conn:
            yield conn
        return
    yield _Deferred(writes, isolated)


def defer(db, op: Operation, isolated: bool = False) -> None:
    """``op(connection)`` as part of the request's write set inside a scope, else at
    once in a transaction of its own."""
    with transaction(db, isolated) as conn:
        if isinstance(conn, _Deferred):
            conn._writes.append(_Write(op, isolated, _on_error.get()))
        else:
            op(conn)


def commit() -> None:
    """Write and commit the request's write sets; returns when they are committed
    (raises if they could not be: the caller answers with a fault then, and nothing of
    the request is stored)."""
    opened = _open.get()
    if not opened:
        return
    pending = list(opened.values())
    opened.clear()
    error: BaseException | None = None
    for db, writes in pending:
        if not writes or error is not None:
            continue
        try:
            GroupCommit.of(db).submit(writes)
        except BaseException as exc:
            error = exc
    if error is not None:
        raise error


def rollback() -> None:
    """Forget the request's write set: nothing of it was written yet."""
    opened = _open.get()
    if opened:
        opened.clear()


def _order(sequences: list[list[tuple]]) -> list[tuple] | None:
    """One order of the group keys that keeps every set's own order (None: there is none).
    Sets of one kind (the usual batch) share their order as it is; others are sorted."""
    first = sequences[0] if sequences else []
    runs = [key for previous, key in zip([None, *first], first, strict=False) if key != previous]
    if len(set(runs)) == len(runs) and all(sequence == first for sequence in sequences):
        return runs
    order: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
    for sequence in sequences:
        for previous, key in zip([None, *sequence], sequence, strict=False):
            order.add(key, *(() if previous is None or previous == key else (previous,)))
    try:
        return list(order.static_order())
    except graphlib.CycleError:
        return None


@contextlib.contextmanager
def _savepoint(conn, wanted: bool, name: str = "kallelse_w") -> Iterator[None]:
    if not wanted:
        yield
        return
    conn.exec_driver_sql(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
        conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
        raise
    conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")


class _Ticket:
    __slots__ = ("writes", "done", "error")

    def __init__(self, writes: list[_Write]):
        self.writes = writes
        self.done = False
        self.error: BaseException | None = None


class GroupCommit:
    """One per database engine and process: leader-based group commit (module docstring)."""

    _instances_lock = threading.Lock()

    def __init__(self, db):
        self.db = db
        self.pid = os.getpid()
        self._queue: list[_Ticket] = []
        self._queue_lock = threading.Lock()
        self._leader = threading.Lock()
        self._conn: Any = None
        # The driver's cursor on ``_conn`` for BEGIN / COMMIT / ROLLBACK and the grouped
        # INSERTs (fixed.py says why the driver's): one for the connection's life instead of
        # one per statement.
        self._cursor: Any = None
        self._file_lock: IO[bytes] | None = None
        self.batches = 0  # counters for the benchmark and the tests
        self.sets = 0
        self.checkpointer = checkpoint.Checkpointer(db.engine) if db.is_sqlite else None

    @classmethod
    def of(cls, db) -> GroupCommit:
        """The engine's own (kept on the engine: it lives and goes with it), made anew in a
        forked worker process."""
        found = getattr(db.engine, "_kallelse_group_commit", None)
        if found is None or found.pid != os.getpid():
            with cls._instances_lock:
                found = getattr(db.engine, "_kallelse_group_commit", None)
                if found is None or found.pid != os.getpid():
                    found = GroupCommit(db)
                    db.engine._kallelse_group_commit = found
        return found

    def submit(self, writes: list[_Write]) -> None:
        ticket = _Ticket(writes)
        with self._queue_lock:
            self._queue.append(ticket)
        with self._leader:
            if not ticket.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._write(batch)
        if ticket.error is not None:
            raise ticket.error

    def _connection(self):
        if self._conn is None:
            # Transactions are begun and ended by hand below (BEGIN IMMEDIATE on SQLite takes
            # the write lock first, so a batch never fails half-way on a lock upgrade).
            self._conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self.checkpointer is not None:  # the log is copied back by the checkpointer's thread
                self._conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={checkpoint.SAFETY_PAGES}")
            # the connection is in autocommit mode: SQLAlchemy keeps no transaction state
            # that BEGIN / COMMIT on the driver's cursor could confuse
            self._cursor = self._conn.connection.driver_connection.cursor()
        return self._conn

    def _lock_file(self) -> IO[bytes] | None:
        """SQLite: a lock file beside the database that the leaders of all worker processes
        take in turn (``flock`` wakes the next one the moment it is free). Without it the
        leader that finds the write lock taken sleeps in SQLite's busy handler, 1, 2, 5 ...
        100 ms at a time, while the other process takes the lock again: the tail latency."""
        if not self.db.is_sqlite:
            return None
        if self._file_lock is None:
            path = self.db.url.removeprefix("sqlite:///")
            if not path or path == ":memory:":
                return None
            self._file_lock = open(f"{path}-writer.lock", "ab")  # held for the engine's life
        return self._file_lock

    def _write(self, batch: list[_Ticket]) -> None:
        lock = self._lock_file()
        if lock is None:
            self._write_locked(batch)
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            self._write_locked(batch)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_locked(self, batch: list[_Ticket]) -> None:
        sqlite = self.db.is_sqlite
        begin = "BEGIN IMMEDIATE" if sqlite else "BEGIN"
        try:
            conn = self._connection()
            cursor = self._cursor
            cursor.execute(begin)
            token = _flushing.set({id(self.db.engine): conn})
            try:
                rest = self._write_grouped(conn, batch)
                if rest is None:  # a grouped statement failed: start over, one set at a time
                    cursor.execute("ROLLBACK")
                    cursor.execute(begin)
                    rest = batch
                for ticket in rest:
                    self._write_set(conn, ticket, sqlite)
            finally:
                _flushing.reset(token)
            cursor.execute("COMMIT")
            self.batches += 1
            self.sets += len(batch)
            if self.checkpointer is not None:
                self.checkpointer.committed(len(batch))
        except BaseException as exc:
            for ticket in batch:
                ticket.error = ticket.error or exc
            self._discard()
        finally:
            for ticket in batch:
                ticket.done = True

    def _write_grouped(self, conn, batch: list[_Ticket]) -> list[_Ticket] | None:
        """The optimistic path: the sets made only of plain statements (the AddMessage set:
        message, notifications, traffic row) are written as one ``executemany`` per
        statement and parameter shape, in an order that keeps every set's own order, an
        INSERT on the driver's cursor (fixed.py). A SQLAlchemy execute costs more than the
        row it writes, so a batch of N sets costs a few executes instead of 3N.

        Returns the sets left for :meth:`_write_set`, or None if a grouped statement
        failed: the caller then rolls back and writes every set on its own, where a failure
        is undone alone and calls its handler (nothing of the failed attempt was committed)."""
        groups: dict[tuple, list[dict]] = {}
        statements: dict[tuple, Any] = {}
        sequences: list[list[tuple]] = []  # each set's group keys, in its own order
        rest: list[_Ticket] = []
        for ticket in batch:
            if any(w.rows is None for w in ticket.writes):
                rest.append(ticket)
                continue
            sequence = []
            for write in ticket.writes:
                rows = write.rows or []
                shape = frozenset(rows[0])
                key: tuple = (id(write.statement), shape)
                if any(row.keys() != shape for row in rows):
                    key = (id(write.statement), id(write))  # mixed shapes: a group of its own
                statements[key] = write.statement
                groups.setdefault(key, []).extend(rows)
                sequence.append(key)
            sequences.append(sequence)
        ordered = _order(sequences)
        if ordered is None:
            return batch
        try:
            for key in ordered:
                uniform = isinstance(key[1], frozenset)  # else: rows of several shapes
                if not (uniform and fixed.insert_many(conn, statements[key], groups[key], self._cursor)):
                    conn.execute(statements[key], groups[key])
        except Exception as exc:  # the type only: a driver's message may quote a personnummer
            log.info(
                "a grouped write of %d sets failed (%s); writing them one by one",
                len(batch) - len(rest),
                type(exc).__name__,
            )
            return None
        return rest

    def _write_set(self, conn, ticket: _Ticket, sqlite: bool) -> None:
        """One request's writes; a failed required write undoes the whole set (and only
        it), a failed isolated write only itself and calls its failure handler."""
        try:
            # SQLite undoes a failed statement alone, so a set whose only required write is
            # its first needs no SAVEPOINT there (the AddMessage set: message first, then
            # isolated writes); PostgreSQL aborts the whole transaction on any failed statement.
            guard = not sqlite or any(not w.isolated for w in ticket.writes[1:])
            with _savepoint(conn, guard, "kallelse_set"):
                for write in ticket.writes:
                    if not write.isolated:
                        write.op(conn)
                        continue
                    try:
                        with _savepoint(conn, not sqlite):
                            write.op(conn)
                    except Exception as exc:
                        if write.on_error is None:
                            log.exception("a write of the request failed (no failure handler)")
                        else:
                            write.on_error(exc)
        except Exception as exc:
            ticket.error = exc

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        cursor, self._cursor = self._cursor, None
        if cursor is not None:
            with contextlib.suppress(Exception):
                cursor.close()
        if conn is None:
            return
        with contextlib.suppress(Exception):
            conn.exec_driver_sql("ROLLBACK")
        with contextlib.suppress(Exception):
            conn.invalidate()
        with contextlib.suppress(Exception):
            conn.close()
