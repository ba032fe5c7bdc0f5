"""Two small in-between servers for the Java interoperability test.

``SniffingRelay`` passes TCP bytes unchanged (so the simulator reads the client's own
chunked bodies) and keeps what the client sent, to prove the requests really were
chunked. ``MutatingProxy`` forwards HTTP and rewrites answers: the test of the test
serves a broken WSDL or a wrong fault shape through it and sees the Java side fail."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class SniffingRelay:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.sent = bytearray()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, keep: bool) -> None:
        try:
            while data := source.recv(65536):
                if keep:
                    with self._lock:
                        self.sent += data
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def requests_seen(self) -> tuple[int, int]:
        """(POST requests, of which chunked) in what the client sent."""
        with self._lock:
            text = bytes(self.sent)
        heads = re.findall(rb"(?:^|\r\n)POST [^\r\n]* HTTP/1\.1\r\n(.*?)\r\n\r\n", text, re.S)
        chunked = [h for h in heads if re.search(rb"(?im)^transfer-encoding:\s*chunked", h)]
        return len(heads), len(chunked)

    def close(self) -> None:
        self._listener.close()


class MutatingProxy:
    """HTTP proxy to ``target``; ``mutate(path, body) -> body`` rewrites every answer."""

    def __init__(self, target: str, mutate: Callable[[str, bytes], bytes]):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                skip = {"host", "content-length", "connection", "transfer-encoding"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                answer = requests.request(self.command, target + self.path, data=body, headers=headers, timeout=30)
                content = mutate(self.path, answer.content)
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "text/xml"))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
