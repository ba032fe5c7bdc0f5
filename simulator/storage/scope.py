"""A per-request memo for shared state that one request reads several times.

Shared state lives in the database (gunicorn workers share nothing else), so every
``clock.now()`` used to be a SELECT: an AddMessage asked three times (the producer, the
citizen notifications, the traffic recorder), about a fifth of its CPU. Inside
:func:`request_scope` the first read is remembered until the request ends, so one request
also sees one consistent clock setting. Outside a scope (control API, tests calling code
directly) every read goes to the database as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("kallelse_request_memo", default=None)


@contextlib.contextmanager
def request_scope():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


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
