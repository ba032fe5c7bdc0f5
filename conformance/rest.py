"""One JSON-over-HTTP call helper for the two services the suite talks to (the simulator
and the vendor adapter): a failure names the call and the answer, in the caller's
exception type."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from rivta.auth import BearerFor

# A kept-alive connection the server closed just as the next request went out surfaces as
# "Connection reset by peer". A request that cannot have changed anything is tried again:
# a failed connect (nothing was sent), or a read of a method the service answers the same
# however often it arrives. A vendor adapter's PUT is not such a method (it sends an
# update; a second one would be the suite's doing, judged as the vendor's, MC-09); the
# simulator's DELETEs are (a behaviour rule gone is gone; 404 is accepted).
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def retry(idempotent: frozenset[str]) -> Retry:
    return Retry(
        total=3, connect=3, read=3, status=0, allowed_methods=idempotent, backoff_factor=0.2, raise_on_status=False
    )


# The shared test bed's token (`kallelse serve --shared`, docs/platform.md) for the suite.
TOKEN_ENV = "KALLELSE_CONFORMANCE_TOKEN"


def session(
    pool: int = 32, token: str | None = None, base_url: str = "", idempotent: frozenset[str] = READS
) -> requests.Session:
    """A session for one service: ``pool`` kept-alive connections (scenarios run side by
    side), ``idempotent`` methods retried on a dropped connection, and ``token`` (if any)
    sent to ``base_url``."""
    http = requests.Session()
    for scheme in ("http://", "https://"):
        http.mount(scheme, HTTPAdapter(pool_maxsize=pool, max_retries=retry(idempotent)))
    if token:
        http.auth = BearerFor(token, base_url)  # the simulator's only, never the adapter's
    return http


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
