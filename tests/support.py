"""Simulator servers for tests, both on a free port with their own data folder (SQLite)
or their own PostgreSQL schema:

- :class:`InProcessSimulator`: ``create_app()`` served by a werkzeug server thread in the
  test process (real HTTP, real SOAP, a second or less to start): the default;
- :class:`SimulatorProcess`: ``kallelse serve`` as a user starts it (gunicorn workers, the
  dispatch worker), for what only a process proves: SIGKILL, several workers, TLS, the
  start-up output; such tests carry the ``slow`` marker."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.serving import BaseWSGIServer

    from simulator.runtime import Runtime

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


class ManualTime:
    """A real-time source a test moves by hand, injected as a clock's ``real_now``: what
    the simulator does with the passing of real time, without sleeping or timing windows."""

    def __init__(self, start: dt.datetime):
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += dt.timedelta(seconds=seconds)


def healthy(base_url: str) -> bool:
    """The server at ``base_url`` answers its health check."""
    try:
        return requests.get(f"{base_url}/api/health", timeout=1).status_code == 200
    except requests.RequestException:
        return False


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
        process = self.process
        try:
            wait_for(lambda: process.poll() is not None or healthy(self.url), timeout, "the simulator")
        except AssertionError:
            self.stop()
            raise RuntimeError(f"simulator did not become healthy:\n{self.log()}") from None
        if process.poll() is not None:
            raise RuntimeError(f"simulator exited early:\n{self.log()}")
        return self

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


# Migrated (and seeded) SQLite files this test process already built, copied for every
# further in-process simulator: migrating and seeding cost more than everything else.
_TEMPLATES: dict[tuple, Path] = {}
_TEMPLATE_LOCK = threading.Lock()


def prepared_data_dir(data_dir: Path, seed: bool = True, contracts: Path | None = None) -> Path:
    """``data_dir`` holding a migrated (and seeded) SQLite database, as ``kallelse serve``
    prepares it: a copy of the first one this process built."""
    from simulator.config import Config
    from simulator.server import prepare

    key = (seed, contracts)
    with _TEMPLATE_LOCK:
        if key not in _TEMPLATES:
            folder = data_dir.parent / f"{data_dir.name}-template"
            runtime = prepare(Config(data_dir=folder, seed=seed, contracts=contracts), seed=seed)
            runtime.db.dispose()  # the last connection closing checkpoints the WAL into the file
            _TEMPLATES[key] = folder / "kallelse.sqlite"
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATES[key], data_dir / "kallelse.sqlite")
    return data_dir


class InProcessSimulator:
    """``create_app()`` behind a threaded werkzeug server on a free port, with the same
    ``url``/``port``/``data_dir``/``start()``/``stop()``/``log()`` as :class:`SimulatorProcess`,
    so a test module switches by changing its fixture. No dispatch worker runs. ``env`` is
    in force while the app is built (settings the parts read at install time)."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str | None = None,
        seed: bool = True,
        routing: Path | None = None,
        contracts: Path | None = None,
        env: dict | None = None,
        shared: bool = False,
    ):
        self.data_dir = data_dir
        self.shared = shared  # docs/platform.md, "Shared mode": tokens and roles
        self.database_url = database_url
        self.seed = seed
        self.routing = routing
        self.contracts = contracts
        self.env = env or {}
        self.port = free_port()
        self.log_path = data_dir / f"server-{self.port}.log"
        self.app: Flask | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._log_handler: logging.Handler | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None, "start() the simulator first"
        return self.app.config["RUNTIME"]

    def start(self) -> InProcessSimulator:
        from werkzeug.serving import make_server

        from simulator.app import create_app
        from simulator.config import Config
        from simulator.server import prepare

        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = Config(
            port=self.port,
            data_dir=self.data_dir,
            database_url=self.database_url,
            seed=self.seed,
            routing=self.routing,
            contracts=self.contracts,
            shared=self.shared,
        )
        self._capture_log()
        with _environment(self.env):
            if self.database_url:
                prepare(config).db.dispose()
            else:
                prepared_data_dir(self.data_dir, self.seed, self.contracts)
            app = self.app = create_app(config)  # migrating a copied file finds nothing to do
        server = self._server = make_server(
            "127.0.0.1", self.port, app, threaded=True, request_handler=_quiet_handler()
        )
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def _capture_log(self) -> None:
        """What the server logs at info level and above, as ``kallelse serve`` would print it."""
        self._log_handler = logging.FileHandler(self.log_path, encoding="utf-8")
        self._log_handler.setLevel(logging.INFO)
        self._log_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(self._log_handler)
        for name in ("simulator", "contracts"):  # the packages `kallelse serve` logs at info
            logging.getLogger(name).setLevel(logging.INFO)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.app is not None:
            self.runtime.db.dispose()
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None


def _quiet_handler():
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            """No access log (gunicorn's is off too)."""

    return Quiet


@contextlib.contextmanager
def _environment(values: dict):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class SilentPort:
    """A loopback port that takes every connection and request and never answers (until
    :meth:`close`): a receiver that stored the call and whose answer was lost, or one that
    hangs. ``url`` ends in ``path``."""

    def __init__(self, path: str = "/"):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}{path}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.listener.accept()
                self.held.append(conn)

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.listener.close()
