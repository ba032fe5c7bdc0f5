"""gunicorn settings for ``kallelse serve --tls``: the server certificate and key, and
client certificates required and checked against the test CA (mutual TLS, as NTjP).
The client's identity reaches the application through simulator.platform.wsgi."""

from __future__ import annotations

import ssl
from pathlib import Path


def tls_folder(config) -> Path:
    return Path(config.tls_dir) if config.tls_dir else Path(config.data_dir) / "certs"


def gunicorn_settings(config) -> dict:
    if not config.tls:
        return {}
    folder = tls_folder(config)
    files = {"certfile": folder / "server.pem", "keyfile": folder / "server-key.pem", "ca_certs": folder / "ca.pem"}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise SystemExit(
            f"--tls needs {', '.join(missing)}: create them with "
            f"`kallelse certs init --dir {folder} --consumer <HSA-id>`"
        )
    return {**{k: str(v) for k, v in files.items()}, "cert_reqs": ssl.CERT_REQUIRED, "ssl_context": _cached_context}


_CONTEXT: dict = {}


def _cached_context(conf, default_factory):
    """gunicorn builds an SSLContext per connection by default; one per worker suffices."""
    if "context" not in _CONTEXT:
        _CONTEXT["context"] = default_factory()
    return _CONTEXT["context"]
