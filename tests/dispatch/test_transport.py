"""The dispatch core's lean HTTP session against a real HTTP server in this process: the
same answers and the same requests exceptions as ``requests.Session``, one kept-alive
connection per thread, a connection the server closed noticed before reuse, the
shared-mode token only for the simulator's base URL, and requests itself for what the
lean path does not do (redirects)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from dispatchcore.apitoken import authorize
from dispatchcore.transport import LeanSession
from rivta import not_connected
from rivta.auth import BearerFor


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict] = []  # shared by the test's one server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "body": body,
                "headers": dict(self.headers),
                "peer": self.client_address[1],
            }
        )
        if self.path.startswith("/slow"):
            time.sleep(1.0)
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "/target")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        close = self.path.startswith("/close")
        answer = json.dumps({"path": self.path, "length": len(body)}).encode()
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)
        if close:
            self.close_connection = True

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    _Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_answers_like_requests_and_keeps_the_connection(server: str) -> None:
    session = LeanSession()
    first = session.post(f"{server}/a", json={"x": "å"}, headers={"X-Test": "1"}, timeout=5)
    second = session.get(f"{server}/b", params={"personnummer": "191212121212"}, timeout=5)
    assert first.status_code == 200 and first.json() == {"path": "/a", "length": len('{"x": "\\u00e5"}')}
    assert first.headers["content-type"] == "application/json; charset=utf-8" and first.ok
    assert second.json()["path"] == "/b?personnummer=191212121212"
    sent = _Handler.seen
    assert sent[0]["headers"]["Content-Type"] == "application/json" and sent[0]["headers"]["X-Test"] == "1"
    assert json.loads(sent[0]["body"]) == {"x": "å"}
    assert sent[0]["peer"] == sent[1]["peer"], "the second call reused the first one's connection"
    quoted = session.get(f"{server}/a path/ö", params={"q": "a b"}, timeout=5)
    assert quoted.json()["path"] == "/a%20path/%C3%B6?q=a+b", "quoted as requests quotes it"
    with pytest.raises(requests.exceptions.InvalidHeader):
        session.get(f"{server}/b", headers={"X-Bad": "1\r\nX-Injected: 1"}, timeout=5)
    missing = session.get(f"{server}/missing", timeout=5)
    assert missing.status_code == 404 and not missing.ok
    with pytest.raises(requests.HTTPError):
        missing.raise_for_status()


def test_a_connection_the_server_closed_is_not_reused(server: str) -> None:
    session = LeanSession()
    assert session.get(f"{server}/close", timeout=5).status_code == 200
    assert session.post(f"{server}/after", data=b"<x/>", timeout=5).json() == {"path": "/after", "length": 4}
    assert _Handler.seen[0]["peer"] != _Handler.seen[1]["peer"]
    assert len(_Handler.seen) == 2, "nothing was sent twice"


def test_failures_raise_requests_exceptions(server: str) -> None:
    session = LeanSession()
    with pytest.raises(requests.Timeout):
        session.get(f"{server}/slow", timeout=0.2)
    assert session.get(f"{server}/fine", timeout=5).status_code == 200, "a timed-out connection is replaced"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(requests.ConnectionError) as refused:
        session.get(f"http://127.0.0.1:{closed_port}/x", timeout=2)
    assert not_connected(refused.value)  # never sent: a retry needs no check first
    with pytest.raises(requests.Timeout) as slow:
        session.get(f"{server}/slow", timeout=0.2)
    assert not not_connected(slow.value)  # sent, answer lost


def test_the_token_goes_to_the_base_url_only(server: str, monkeypatch) -> None:
    monkeypatch.setenv("KALLELSE_API_TOKEN", "kt_secret")
    session = authorize(LeanSession(), server)
    assert isinstance(session.auth, BearerFor)
    session.get(f"{server}/api/clock", timeout=5)
    elsewhere = server.replace("127.0.0.1", "localhost")
    session.get(f"{elsewhere}/api/clock", timeout=5)
    assert _Handler.seen[0]["headers"]["Authorization"] == "Bearer kt_secret"
    assert "Authorization" not in _Handler.seen[1]["headers"]


def test_a_redirect_is_followed_by_requests(server: str) -> None:
    answer = LeanSession().get(f"{server}/moved", timeout=5)
    assert answer.status_code == 200 and answer.json()["path"] == "/target"


def test_each_thread_has_its_own_connection(server: str) -> None:
    session = LeanSession()
    errors: list[BaseException] = []

    def calls() -> None:
        try:
            for i in range(20):
                assert session.post(f"{server}/t{i}", data=b"x" * i, timeout=5).json()["length"] == i
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=calls) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(_Handler.seen) == 80
    assert len({s["peer"] for s in _Handler.seen}) == 4


def test_an_idle_connection_the_server_dropped_is_replaced_before_sending() -> None:
    """gunicorn closes kept-alive connections after a few idle seconds without saying so:
    the next call must notice and connect again rather than fail (or send twice)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    requests_seen: list[bytes] = []

    def serve() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            with conn:
                data = conn.recv(65536)
                requests_seen.append(data)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
                time.sleep(0.05)  # then close silently, as an idle keep-alive timeout does

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    session = LeanSession()
    try:
        assert session.post(f"http://127.0.0.1:{port}/one", data=b"1", timeout=5).json() == {}
        time.sleep(0.3)
        assert session.post(f"http://127.0.0.1:{port}/two", data=b"2", timeout=5).json() == {}
    finally:
        thread.join(5)
        listener.close()
    assert [r.split(b" ")[1] for r in requests_seen] == [b"/one", b"/two"]


def test_chunked_and_http_1_0_answers() -> None:
    """A chunked answer (with a trailer) and an HTTP/1.0 answer read up to the close."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    answers = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
        b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n",
        b'HTTP/1.0 201 Created\r\nContent-Type: application/json\r\n\r\n{"id": 7}',
    ]

    def serve() -> None:
        conn, _ = listener.accept()
        for answer in answers:
            conn.recv(65536)
            conn.sendall(answer)
            if answer.startswith(b"HTTP/1.0"):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    session = LeanSession()
    try:
        chunked = session.get(f"http://127.0.0.1:{port}/c", timeout=5)
        closing = session.post(f"http://127.0.0.1:{port}/p", json={}, timeout=5)
    finally:
        thread.join(5)
        listener.close()
    assert chunked.status_code == 200 and chunked.text == "hello, world"
    assert closing.status_code == 201 and closing.json() == {"id": 7} and closing.reason == "Created"
