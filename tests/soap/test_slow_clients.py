"""Slow clients are harmless (issue #12): with 100 connections held open — half idle,
half trickling a request line or a body a byte at a time — a real ``kallelse serve``
still answers /api/health within a second, and a normal AddMessage too."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest
import requests

from tests.inbox import wire
from tests.support import SimulatorProcess

pytestmark = pytest.mark.slow


class Trickle(threading.Thread):
    """Sends ``data`` one byte every ``interval`` seconds until stopped."""

    def __init__(self, sock: socket.socket, data: bytes, interval: float = 0.5):
        super().__init__(daemon=True)
        self.sock, self.data, self.interval = sock, data, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        for byte in self.data:
            if self.stopped.wait(self.interval):
                return
            try:
                self.sock.sendall(bytes([byte]))
            except OSError:
                return


def open_sockets(port: int, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]


def test_health_and_addmessage_answer_beside_100_slow_connections(tmp_path):
    server = SimulatorProcess(tmp_path / "sim").start()
    port = int(server.url.rsplit(":", 1)[1])
    body = wire.envelope(wire.add_message_body("191212121212")).encode()
    request_line = b"POST /inbox/AddMessage/2/rivtabp21 HTTP/1.1\r\nHost: x\r\n"
    with_body = request_line + f"Content-Length: {len(body)}\r\nSOAPAction: x\r\n\r\n".encode() + body
    idle = open_sockets(port, 50)
    slow = open_sockets(port, 50)
    trickles = [Trickle(s, request_line if i % 2 else with_body) for i, s in enumerate(slow)]
    for trickle in trickles:
        trickle.start()
    try:
        time.sleep(2)  # every connection accepted and parked or trickling
        pnr = wire.new_pnr()  # unknown: an INFO answer, stored like an OK
        for _ in range(5):
            started = time.monotonic()
            answer = requests.get(f"{server.url}/api/health", timeout=10)
            assert answer.status_code == 200
            assert time.monotonic() - started < 1.0, time.monotonic() - started
        started = time.monotonic()
        soap = wire.add_message(server.url, pnr)
        assert soap.status_code == 200, soap.text
        assert time.monotonic() - started < 1.0
    finally:
        for trickle in trickles:
            trickle.stopped.set()
        for sock in idle + slow:
            with contextlib.suppress(OSError):
                sock.close()
        server.stop()
