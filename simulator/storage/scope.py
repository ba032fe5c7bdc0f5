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
ask :func:`transaction` instead of ``db.begin()``: inside a request scope the first such
write opens the request's transaction and later ones join it; the endpoint commits it
once with :func:`commit`, after the exchange is recorded and *before* the answer is sent,
so an OK still means stored — message, notification and traffic row together or none of
them. Writes that must not wait for the request (a behaviour rule's claim before its
delay) keep using ``db.begin()``. Outside a scope :func:`transaction` is ``db.begin()``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("kallelse_request_memo", default=None)
# One open (connection, transaction) per database engine, while a request scope runs.
_open: ContextVar[dict | None] = ContextVar("kallelse_request_transactions", default=None)
# One read connection per database engine, while a request scope runs.
_readers: ContextVar[dict | None] = ContextVar("kallelse_request_readers", default=None)


@contextlib.contextmanager
def request_scope():
    memo_token = _memo.set({})
    open_token = _open.set({})
    readers_token = _readers.set({})
    try:
        yield
    finally:
        rollback()  # whatever the endpoint did not commit (it commits before answering)
        for conn in (_readers.get() or {}).values():
            conn.close()
        _memo.reset(memo_token)
        _open.reset(open_token)
        _readers.reset(readers_token)


def reader(engine) -> contextlib.AbstractContextManager | None:
    """Inside a request scope, the request's one read connection (``Database.connect``
    hands it out instead of checking a new one out of the pool for every SELECT: a pool
    checkout and its reset cost more than the small SELECTs of a request). The reads of
    one request thereby also see one snapshot. None outside a scope."""
    readers = _readers.get()
    if readers is None:
        return None
    key = id(engine)
    if key not in readers:
        readers[key] = engine.connect()
    return contextlib.nullcontext(readers[key])


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


@contextlib.contextmanager
def transaction(db, isolated: bool = False) -> Iterator[Any]:
    """A connection to write with: the request's shared transaction inside a scope, else
    a transaction of its own. ``isolated`` writes (the traffic row, the notifications:
    parts whose failure must not undo the message) run in a SAVEPOINT on PostgreSQL,
    where a failed statement would otherwise abort the whole transaction; SQLite undoes
    only the failed statement anyway."""
    opened = _open.get()
    if opened is None:
        with db.begin() as conn:
            yield conn
        return
    key = id(db.engine)
    if key not in opened:
        conn = db.engine.connect()
        opened[key] = (conn, conn.begin())
    conn = opened[key][0]
    if isolated and not db.is_sqlite:
        with conn.begin_nested():
            yield conn
    else:
        yield conn


def commit() -> None:
    """Commit the request's transactions (raises if a commit fails; the caller answers
    with a fault then, and nothing of the request is stored)."""
    _finish(commit=True)


def rollback() -> None:
    _finish(commit=False)


def _finish(commit: bool) -> None:
    opened = _open.get()
    if not opened:
        return
    pending = list(opened.values())
    opened.clear()
    error: BaseException | None = None
    for conn, trans in pending:
        try:
            if commit and error is None:
                trans.commit()
            else:
                trans.rollback()
        except BaseException as exc:  # close every connection, then report the first failure
            error = error or exc
        finally:
            conn.close()
    if error is not None:
        raise error
