"""Runtime settings, from command-line options or ``KALLELSE_*`` environment variables
(the docker-compose path); defaults are the embedded ones: SQLite under ./data."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from simulator.storage.database import sqlite_url


@dataclasses.dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("data")
    database_url: str | None = None
    seed: bool = False
    contracts: Path | None = None
    workers: int = 2
    log_level: str = "info"
    routing: Path | None = None  # NTjP-like routing file (docs/platform.md)
    tls: bool = False  # mutual TLS with certificates from tls_dir
    tls_dir: Path | None = None  # default: <data_dir>/certs (kallelse certs init)
    shared: bool = False  # API tokens with roles (docs/platform.md, "Shared mode")
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def db_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    @classmethod
    def from_env(cls, **overrides) -> Config:
        env = os.environ
        values: dict[str, Any] = dict(
            host=env.get("KALLELSE_HOST", cls.host),
            port=int(env.get("KALLELSE_PORT", cls.port)),
            data_dir=Path(env.get("KALLELSE_DATA_DIR", "data")),
            database_url=env.get("KALLELSE_DATABASE_URL") or None,
            seed=env.get("KALLELSE_SEED", "") in ("1", "true", "yes"),
            contracts=Path(env["KALLELSE_CONTRACTS"]) if env.get("KALLELSE_CONTRACTS") else None,
            workers=int(env.get("KALLELSE_WORKERS", cls.workers)),
            log_level=env.get("KALLELSE_LOG_LEVEL", cls.log_level),
            routing=Path(env["KALLELSE_ROUTING"]) if env.get("KALLELSE_ROUTING") else None,
            tls=env.get("KALLELSE_TLS", "") in ("1", "true", "yes"),
            tls_dir=Path(env["KALLELSE_TLS_DIR"]) if env.get("KALLELSE_TLS_DIR") else None,
            shared=env.get("KALLELSE_SHARED", "") in ("1", "true", "yes"),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
