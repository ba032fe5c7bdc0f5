"""The dispatch core's HTTP session: a ``requests.Session`` whose plain-HTTP calls skip
requests' per-call machinery and go straight to ``http.client`` on a kept-alive
connection per thread and host.

Why: the worker makes four to five calls per booking (the clock, GetUserProfile,
AddMessage, the paper letter, GetMessageStatus at the fallback), and requests spent
~1.2 ms of CPU around each of them — merging the environment's proxy settings,
preparing hooks, cookies and headers, urllib3's pool — against ~0.3 ms for the same call
on ``http.client`` (docs/loadtests.md, "Campaign speed"). Everything else goes through
requests unchanged: https (certificates, CA bundles), a proxy from the environment,
cookies, files, streams, a redirect answer, any auth other than the shared-mode
bearer token. Failures raise requests' own exceptions (``ConnectTimeout``,
``ReadTimeout``, ``ConnectionError``), so the callers' ``except requests...`` and
rivta's ``Timeout``/``TransportError`` mapping see what they always saw.

A kept-alive connection the server has closed meanwhile (gunicorn drops idle ones after
a few seconds) is noticed before it is reused, as urllib3 does, and never retried after
a request went out: a POST is sent at most once, like requests without retries."""

from __future__ import annotations

import http.client
import json as jsonlib
import select
import threading
import urllib.parse
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from rivta.auth import BearerFor

REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"kallelse-dispatchcore python-requests/{requests.__version__}"


class LeanSession(requests.Session):
    """``requests.Session`` with a lean path for plain HTTP (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()
        self._proxied: dict[tuple[str, str], bool] = {}

    def request(
        self,
        method: str,
        url: Any,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        cookies: Any = None,
        files: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = True,
        proxies: Any = None,
        hooks: Any = None,
        stream: Any = None,
        verify: Any = None,
        cert: Any = None,
        json: Any = None,
    ) -> requests.Response:
        lean = (
            isinstance(url, str)
            and url.startswith("http://")
            and not (cookies or files or auth or proxies or hooks or stream or self.cookies)
            and (self.auth is None or isinstance(self.auth, BearerFor))
            and (data is None or isinstance(data, bytes | str))
            and not self._through_proxy(url)
        )
        if lean:
            answer = self._send(method.upper(), url, params, data, headers, timeout, json)
            if not (allow_redirects and answer.status_code in REDIRECTS):
                return answer
        return super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            cookies=cookies,
            files=files,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
            proxies=proxies,
            hooks=hooks,
            stream=stream,
            verify=verify,
            cert=cert,
            json=json,
        )

    def _through_proxy(self, url: str) -> bool:
        """Would requests send this URL through a proxy of the environment? (Asked once
        per host: the environment is read when the process starts.)"""
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxied:
            self._proxied[key] = bool(
                self.trust_env and requests.utils.get_environ_proxies(url, no_proxy=None).get(parts.scheme)
            )
        return self._proxied[key]

    def _send(
        self, method: str, url: str, params: Any, data: Any, headers: Any, timeout: Any, json: Any
    ) -> requests.Response:
        parts = urllib.parse.urlsplit(url)
        path = parts.path or "/"
        query = parts.query
        if params:
            extra = urllib.parse.urlencode(params, doseq=True)
            query = f"{query}&{extra}" if query else extra
        if query:
            path = f"{path}?{query}"
        sent = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        body: bytes | None = None
        if json is not None and data is None:
            body = jsonlib.dumps(json, allow_nan=False).encode("utf-8")
            sent["Content-Type"] = "application/json"
        elif data is not None:
            body = data.encode("utf-8") if isinstance(data, str) else data
        elif method in ("POST", "PUT", "PATCH"):
            body = b""
        if headers:
            sent.update(headers)
        if isinstance(self.auth, BearerFor) and url.startswith(self.auth.base):
            sent["Authorization"] = self.auth.header
        connect_timeout, read_timeout = _timeouts(timeout)
        conn = self._connection(parts.hostname or "localhost", parts.port or 80, connect_timeout)
        try:
            if conn.sock is None:
                conn.connect()
            conn.sock.settimeout(read_timeout)
        except TimeoutError as exc:
            self._drop(conn)
            raise requests.ConnectTimeout(f"{url}: no connection within {connect_timeout} s") from exc
        except OSError as exc:
            self._drop(conn)
            raise requests.ConnectionError(f"{url}: {type(exc).__name__}: {exc}") from exc
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            content = raw.read()
        except TimeoutError as exc:
            self._drop(conn)
            raise requests.ReadTimeout(f"{url}: no answer within {read_timeout} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop(conn)
            raise requests.ConnectionError(f"{url}: {type(exc).__name__}: {exc}") from exc
        if raw.will_close:
            self._drop(conn)
        return _response(url, raw, content)

    def _connection(self, host: str, port: int, timeout: float | None) -> http.client.HTTPConnection:
        """This thread's kept-alive connection to ``host:port`` (a new one if the server
        closed the old one meanwhile)."""
        pool: dict[tuple[str, int], http.client.HTTPConnection] | None = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        conn = pool.get((host, port))
        if conn is not None and conn.sock is not None and _dropped(conn.sock):
            conn.close()
        if conn is None:
            conn = pool[(host, port)] = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.timeout = timeout
        return conn

    def _drop(self, conn: http.client.HTTPConnection) -> None:
        conn.close()  # the next request on it connects again

    def close(self) -> None:
        pool = getattr(self._local, "pool", None) or {}
        for conn in pool.values():
            conn.close()
        super().close()


def _timeouts(timeout: Any) -> tuple[float | None, float | None]:
    if timeout is None:
        return None, None  # as requests: wait as long as it takes
    if isinstance(timeout, tuple):
        return timeout[0], timeout[1]
    return float(timeout), float(timeout)


def _dropped(sock: Any) -> bool:
    """Readable while idle means closed by the server (or a stray byte): not reusable."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _response(url: str, raw: http.client.HTTPResponse, content: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = raw.status
    response.reason = raw.reason
    response.headers = CaseInsensitiveDict(raw.getheaders())
    response._content = content
    response.url = url
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    return response
