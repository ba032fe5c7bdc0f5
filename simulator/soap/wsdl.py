"""Serve the contract's own WSDL and XSD files over HTTP.

The WSDL is the contract file itself; only ``soap:address`` is pointed at the URL it was
fetched from and the XSD ``schemaLocation`` at ``/contracts/<path in bundle>``, where the
XSDs' own relative imports then resolve over HTTP unchanged.

The address is built from ``KALLELSE_PUBLIC_URL`` when set (a test bed behind a proxy
or a DNS name), else from the request's Host header *after validation*: a Host that is
not a hostname, IPv4 or bracketed IPv6 address with an optional port is never written
into the document (the server's own name and port are used instead), and what is
written is XML-escaped. A hostile Host can therefore not inject markup or point
clients elsewhere."""

from __future__ import annotations

import os
import re
from urllib.parse import urljoin
from xml.sax.saxutils import escape

from contracts.bundle import Contract, correct_schema_text

_ADDRESS = re.compile(r'(<(?:\w+:)?address\s+location=")[^"]*(")')
_SCHEMA_LOCATION = re.compile(r'(schemaLocation=")([^"]*)(")')
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?"
)
_SCRIPT = re.compile(r"(?:/[\w.~-]+)*")
_SCHEMES = ("http", "https")
PUBLIC_URL_VARIABLE = "KALLELSE_PUBLIC_URL"


def valid_host(value: str | None) -> str | None:
    """``value`` if it is a plain ``host[:port]``, else None."""
    if value and len(value) <= 260 and _HOST.fullmatch(value):
        return value
    return None


def base_url(environ) -> str:
    public = os.environ.get(PUBLIC_URL_VARIABLE, "").strip().rstrip("/")
    if public:
        return public
    scheme = environ.get("wsgi.url_scheme", "http")
    scheme = scheme if scheme in _SCHEMES else "http"
    host = valid_host(environ.get("HTTP_HOST")) or valid_host(
        f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    )
    script = environ.get("SCRIPT_NAME", "")
    return f"{scheme}://{host or '127.0.0.1'}{script if _SCRIPT.fullmatch(script) else ''}"


def serve_wsdl(contract: Contract, environ, path: str = "") -> bytes:
    """``path`` is the endpoint's own path (never the raw request path)."""
    base = base_url(environ)
    text = contract.wsdl_path.read_text("utf-8")
    address = _attribute(f"{base}{path}")
    text = _ADDRESS.sub(lambda m: f"{m.group(1)}{address}{m.group(2)}", text, count=1)
    folder = f"{base}/contracts/{contract.relative(contract.wsdl_path.parent)}/"
    text = _SCHEMA_LOCATION.sub(lambda m: f"{m.group(1)}{_attribute(urljoin(folder, m.group(2)))}{m.group(3)}", text)
    return text.encode("utf-8")


def _attribute(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def serve_schema_file(path) -> bytes:
    """An XSD as validated here: with the documented pattern correction applied."""
    return correct_schema_text(path.read_text("utf-8"), str(path)).encode("utf-8")
