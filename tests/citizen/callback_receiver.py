"""A care system's callback endpoint for tests: a loopback HTTP server in the test process
(never anything off this machine) that answers the statuses of its script in turn (then
200) and keeps every event it got. ``port`` lets a test name the address of a receiver
that is down now and brought up later."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import free_port


class Receiver:
    def __init__(self, script=(), port: int | None = None):
        self.script = list(script)
        self.received: list[dict] = []
        self.port = port if port is not None else free_port()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/kallelse-events"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append({"json": json.loads(body), "type": self.headers.get("Content-Type")})
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def event_ids(self) -> list[str]:
        return [r["json"]["event_id"] for r in self.received]

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
