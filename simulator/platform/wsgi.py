"""The platform's wrapper around the whole WSGI application (runtime.wsgi_wrappers).

Before: over TLS, put the client certificate's identity in the environ (the consumer
HSA-id is the subject's serialNumber, as NTjP reads it).
After: carry out the behaviours that must break the HTTP exchange itself, which no WSGI
response can express: ``connection_reset`` (the producer never ran) and ``answer_lost``
(it ran and its work is committed) close the socket with SO_LINGER 0 so the kernel sends
RST before any byte of the answer; ``truncated`` sends the status line,
headers (with the full Content-Length) and half the body, then closes. Both use the
client socket gunicorn puts in ``environ["gunicorn.socket"]``; the OSError raised
afterwards is one gunicorn's worker treats as a vanished client (logged at debug).
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import struct

from simulator.platform.gate import SABOTAGE, TLS, TLS_CONSUMER, TLS_SUBJECT

log = logging.getLogger(__name__)

_RDN_NAMES = {
    "countryName": "C",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "commonName": "CN",
    "serialNumber": "SERIALNUMBER",
    "localityName": "L",
}


def peer_identity(sock) -> tuple[str | None, str]:
    """(serialNumber, readable subject) of the verified client certificate."""
    cert = sock.getpeercert() or {}
    pairs = [pair for rdn in cert.get("subject", ()) for pair in rdn]
    subject = ", ".join(f"{_RDN_NAMES.get(k, k)}={v}" for k, v in pairs)
    serial = next((v.strip() for k, v in pairs if k == "serialNumber" and v.strip()), None)
    return serial, subject


class PlatformWsgi:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        if isinstance(sock, ssl.SSLSocket):
            environ[TLS] = True
            environ[TLS_CONSUMER], environ[TLS_SUBJECT] = peer_identity(sock)
        held = {}

        def hold_if_sabotaged(status, headers, exc_info=None):
            if SABOTAGE not in environ:
                return start_response(status, headers, exc_info)
            held.update(status=status, headers=headers)
            return lambda data: None

        result = self.app(environ, hold_if_sabotaged)
        kind = environ.get(SABOTAGE)
        if not kind:
            return result
        body = b"".join(result)
        if sock is None:
            message = f"behaviour {kind} needs the gunicorn server (kallelse serve)".encode()
            start_response(
                "500 Internal Server Error", [("Content-Type", "text/plain"), ("Content-Length", str(len(message)))]
            )
            return [message]
        if kind in ("connection_reset", "answer_lost"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            raise OSError(errno.ECONNRESET, "connection reset by a behaviour rule")
        head = f"HTTP/1.1 {held['status']}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in held["headers"])
        sock.sendall(f"{head}Connection: close\r\n\r\n".encode("latin-1") + body[: len(body) // 2])
        raise OSError(errno.EPIPE, "response truncated by a behaviour rule")
