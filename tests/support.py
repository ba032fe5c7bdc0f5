"""Running real simulator servers for tests: a ``kallelse serve`` subprocess on a free
port, with its own data folder (SQLite) or its own PostgreSQL schema."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT.parent / "shared").resolve()  # CI may place it beside the clone as a link
OFFICIAL_CONTRACTS = SHARED / "contracts-official"
POSTGRES_BASE = os.environ.get("KALLELSE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require(available: bool, what: str) -> None:
    """Skip a test whose outside tool (chromium, node packages, PostgreSQL) is missing on
    a developer's machine; in CI (KALLELSE_REQUIRE_ALL=1) the same absence fails."""
    import pytest

    if available:
        return
    if os.environ.get("KALLELSE_REQUIRE_ALL"):
        pytest.fail(f"{what} is required in CI but missing")
    pytest.skip(f"{what} is not available on this machine")


def wait_for(condition, timeout: float = 15.0, what: str = "condition", interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy (and return that), or fail
    naming ``what`` — for effects that other processes produce in their own time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def new_postgres_schema() -> str:
    """A fresh schema in the shared ``test`` database, so parallel runs never collide;
    returns a database URL whose search_path points at it."""
    import sqlalchemy as sa

    name = f"kt_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(POSTGRES_BASE)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return f"{POSTGRES_BASE}?options=-csearch_path%3D{name}"


def drop_postgres_schema(url: str) -> None:
    import sqlalchemy as sa

    name = url.rsplit("%3D", 1)[1]
    engine = sa.create_engine(POSTGRES_BASE)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


class SimulatorProcess:
    """``kallelse serve`` as a user starts it, stopped (or killed) by the test."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str | None = None,
        seed: bool = True,
        workers: int = 2,
        extra_args: tuple[str, ...] = (),
        env: dict | None = None,
    ):
        self.data_dir = data_dir
        self.database_url = database_url
        self.seed = seed
        self.workers = workers
        self.extra_args = extra_args
        self.env = env or {}
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> SimulatorProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            sys.executable,
            "-m",
            "simulator.cli",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--workers",
            str(self.workers),
        ]
        if self.database_url:
            args += ["--database-url", self.database_url]
        if self.seed:
            args.append("--seed")
        args += list(self.extra_args)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **self.env}, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"simulator exited early:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"simulator did not become healthy:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers die mid-request."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
