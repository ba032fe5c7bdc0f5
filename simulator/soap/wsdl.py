"""Serve the contract's own WSDL and XSD files over HTTP.

The WSDL is the contract file itself; only ``soap:address`` is pointed at the URL it was
fetched from and the XSD ``schemaLocation`` at ``/contracts/<path in bundle>``, where the
XSDs' own relative imports then resolve over HTTP unchanged."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from contracts.bundle import Contract, correct_schema_text

_ADDRESS = re.compile(r'(<(?:\w+:)?address\s+location=")[^"]*(")')
_SCHEMA_LOCATION = re.compile(r'(schemaLocation=")([^"]*)(")')


def base_url(environ) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}"


def serve_wsdl(contract: Contract, environ) -> bytes:
    base = base_url(environ)
    text = contract.wsdl_path.read_text("utf-8")
    text = _ADDRESS.sub(lambda m: f"{m.group(1)}{base}{environ.get('PATH_INFO', '')}{m.group(2)}", text, count=1)
    folder = f"{base}/contracts/{contract.relative(contract.wsdl_path.parent)}/"
    text = _SCHEMA_LOCATION.sub(lambda m: f"{m.group(1)}{urljoin(folder, m.group(2))}{m.group(3)}", text)
    return text.encode("utf-8")


def serve_schema_file(path) -> bytes:
    """An XSD as validated here: with the documented pattern correction applied."""
    return correct_schema_text(path.read_text("utf-8"), str(path)).encode("utf-8")
