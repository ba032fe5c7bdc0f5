"""One JSON-over-HTTP call helper for the two services the suite talks to (the simulator
and the vendor adapter): a failure names the call and the answer, in the caller's
exception type."""

from __future__ import annotations

import requests


def call(
    session: requests.Session,
    base_url: str,
    method: str,
    path: str,
    expect,
    error: type[Exception],
    timeout: float,
    **kwargs,
) -> requests.Response:
    try:
        answer = session.request(method, f"{base_url}{path}", timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise error(f"{method} {path}: {type(exc).__name__}: {exc}") from None
    if answer.status_code not in expect:
        raise error(f"{method} {path}: HTTP {answer.status_code}: {answer.text[:500]}")
    return answer
