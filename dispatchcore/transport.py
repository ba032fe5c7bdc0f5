"""The dispatch core's HTTP session: a ``requests.Session`` whose plain-HTTP calls skip
requests' per-call machinery and go straight to the socket: one kept-alive HTTP/1.1
connection per thread and host, the request written at once, the answer read by length,
chunks or up to the close.

Why: the worker makes four to five calls per booking (the clock, GetUserProfile,
AddMessage, the paper letter, GetMessageStatus at the fallback), and requests spent
~1.2 ms of CPU around each of them — merging the environment's proxy settings,
preparing hooks, cookies and headers, urllib3's pool, ``http.client``'s header parsing
with the e-mail package — against ~0.3 ms for the call itself (docs/loadtests.md,
"Campaign speed"). Everything else goes through
requests unchanged: https (certificates, CA bundles), a proxy from the environment,
cookies, files, streams, a redirect answer, any auth other than the shared-mode
bearer token. Failures raise requests' own exceptions (``ConnectTimeout``,
``ReadTimeout``, ``ConnectionError``; no connection at all is rivta's ``ConnectFailed``,
a ``ConnectionError`` that tells "never sent" from "answer lost"), so the callers' ``except requests...`` and
rivta's ``Timeout``/``TransportError`` mapping see what they always saw.

A kept-alive connection the server has closed meanwhile (gunicorn drops idle ones after
a few seconds) is noticed before it is reused, as urllib3 does, and never retried after
a request went out: a POST is sent at most once, like requests without retries."""

from __future__ import annotations

import functools
import json as jsonlib
import select
import socket
import threading
import urllib.parse
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from rivta.auth import BearerFor
from rivta.client import ConnectFailed

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
        parts = _split(url)
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
        request = _request_bytes(method, _requoted(path), parts.netloc, sent, body)
        connect_timeout, read_timeout = _timeouts(timeout)
        host, port = parts.hostname or "localhost", parts.port or 80
        conn = self._connection(host, port)
        try:
            conn.open(connect_timeout)
        except TimeoutError as exc:
            conn.close()
            raise requests.ConnectTimeout(f"{url}: no connection within {connect_timeout} s") from exc
        except OSError as exc:
            conn.close()
            raise ConnectFailed(f"{url}: {type(exc).__name__}: {exc}") from exc
        try:
            status, reason, answer_headers, content = conn.exchange(request, method, read_timeout)
        except TimeoutError as exc:
            conn.close()
            raise requests.ReadTimeout(f"{url}: no answer within {read_timeout} s") from exc
        except (OSError, ValueError) as exc:
            conn.close()
            raise requests.ConnectionError(f"{url}: {type(exc).__name__}: {exc}") from exc
        return _response(url, status, reason, answer_headers, content)

    def _connection(self, host: str, port: int) -> _Connection:
        """This thread's kept-alive connection to ``host:port`` (reconnected if the server
        closed it meanwhile)."""
        pool: dict[tuple[str, int], _Connection] | None = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        conn = pool.get((host, port))
        if conn is None:
            conn = pool[(host, port)] = _Connection(host, port)
        return conn

    def close(self) -> None:
        pool = getattr(self._local, "pool", None) or {}
        for conn in pool.values():
            conn.close()
        super().close()


class _Connection:
    """One HTTP/1.1 connection: a request written in one ``sendall``, the answer read with
    the socket's buffered reader (status line, headers, a body by Content-Length, chunks or
    up to the close). ``http.client`` parses the headers with the e-mail package, which cost
    more than everything else about a call (py-spy, docs/loadtests.md)."""

    def __init__(self, host: str, port: int):
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.reader: Any = None

    def open(self, timeout: float | None) -> None:
        if self.sock is not None and _dropped(self.sock):
            self.close()
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.sock.makefile("rb")

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        if self.sock is not None:
            self.sock.close()
        self.sock = self.reader = None

    def exchange(
        self, request: bytes, method: str, timeout: float | None
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """Send ``request`` and read its answer; the connection is closed after an answer
        that says so (or has no length)."""
        assert self.sock is not None
        self.sock.settimeout(timeout)
        self.sock.sendall(request)
        while True:
            version, status, reason = _status_line(self.reader.readline(MAX_LINE))
            headers = _header_lines(self.reader)
            if status != 100:
                break
        fields = {name.lower(): value for name, value in headers}
        keep = (
            "close" not in fields.get("connection", "").lower()
            if version != "HTTP/1.0"
            else "keep-alive" in fields.get("connection", "").lower()
        )
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            content = b""
        elif "chunked" in fields.get("transfer-encoding", "").lower():
            content = _chunks(self.reader)
        elif "content-length" in fields:
            length = int(fields["content-length"])
            content = self.reader.read(length)
            if len(content) != length:
                raise ValueError(f"answer cut off after {len(content)} of {length} bytes")
        else:
            content, keep = self.reader.read(), False
        if not keep:
            self.close()
        return status, reason, headers, content


MAX_LINE = 65536


@functools.lru_cache(maxsize=512)
def _split(url: str) -> urllib.parse.SplitResult:
    """``urlsplit``, kept per URL: the worker calls the same few endpoints all the time."""
    return urllib.parse.urlsplit(url)


@functools.lru_cache(maxsize=512)
def _requoted(path: str) -> str:
    """requests' ``requote_uri``, kept per path: its character-by-character quoting was
    ~2 % of the worker's CPU for the same few endpoint paths."""
    return requests.utils.requote_uri(path)


def _request_bytes(method: str, path: str, netloc: str, headers: dict[str, str], body: bytes | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {netloc}"]
    for name, value in headers.items():
        value = str(value)
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise requests.exceptions.InvalidHeader(f"header {name!r} has a line break")
        lines.append(f"{name}: {value}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head


def _status_line(line: bytes) -> tuple[str, int, str]:
    if not line:
        raise ConnectionResetError("the server closed the connection without an answer")
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP status line: {line[:80]!r}")
    return parts[0], int(parts[1]), parts[2] if len(parts) > 2 else ""


def _header_lines(reader: Any) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    while True:
        line = reader.readline(MAX_LINE)
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise ValueError(f"not a header line: {line[:80]!r}")
        headers.append((name.strip(), value.strip()))


def _chunks(reader: Any) -> bytes:
    body = bytearray()
    while True:
        size = int(reader.readline(MAX_LINE).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            _header_lines(reader)  # trailers, then the blank line
            return bytes(body)
        chunk = reader.read(size)
        if len(chunk) != size:
            raise ValueError("a chunk was cut off")
        body += chunk
        reader.readline(MAX_LINE)


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


def _response(url: str, status: int, reason: str, headers: list[tuple[str, str]], content: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response.headers = CaseInsensitiveDict(headers)
    response._content = content
    response.url = url
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    return response
