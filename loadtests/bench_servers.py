"""The servers the SOAP benchmark measures, each started as its own process group on a
free loopback port: ``kallelse serve`` as a user runs it, and the reference apps of
:mod:`loadtests.bench_targets` under gunicorn (sync workers, or gthread
for the threaded experiments). Also the per-process CPU accounting the bench reports."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loadtests import addmessage

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass
class Settings:
    duration: float = 10.0
    warmup: float = 1.0
    rounds: int = 1
    connections: int = 16
    workers: int = 2
    client: str = "auto"
    database_url: str | None = None
    contracts: Path | None = None
    logical_address: str = addmessage.LOGICAL_ADDRESS
    # A seeded citizen with an account, read from the simulator's database when it starts
    # (the simulator runs first); the other targets get the same request.
    personnummer: str = addmessage.FALLBACK_PERSONNUMMER
    population: tuple[str, ...] = ()
    work_dir: Path = dataclasses.field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kallelse-bench-")))


@dataclasses.dataclass
class Server:
    """A server process the bench started, the URL it answers on, and how to count what
    it stored (to check that every OK is a committed row)."""

    process: subprocess.Popen
    url: str
    stored: Callable[[], int] | None = None
    log_path: Path | None = None
    personnummer: str | None = None
    population: tuple[str, ...] = ()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def cpu_seconds(self) -> float:
        """User+system CPU of the server's processes (master and workers) so far: per
        request it is a cost figure that other load on a shared machine barely moves."""
        return sum(_cpu_of(pid) for pid in _process_tree(self.process.pid))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path and self.log_path.exists() else ""


def _process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return pids


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _spawn(args: list[str], settings: Settings, name: str, env: dict | None = None) -> tuple[subprocess.Popen, Path]:
    log_path = settings.work_dir / f"{name}.log"
    log = open(log_path, "ab")
    process = subprocess.Popen(
        args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True, env={**os.environ, **(env or {})}
    )
    return process, log_path


def _free_port() -> int:
    import socket

    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _row_counter(url: str, table: str) -> Callable[[], int]:
    def count() -> int:
        import sqlalchemy as sa

        from simulator.storage import Database

        db = Database(url)
        try:
            with db.connect() as conn:
                return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        finally:
            db.dispose()

    return count


def start_simulator(settings: Settings) -> Server:
    """``kallelse serve`` as a user starts it (migrated, seeded, N gthread workers), without
    the reference care system's embedded worker (``KALLELSE_DISPATCH_WORKERS=0``): the
    bench measures the simulator, and the care system is a client with CPU of its own. Idle,
    it still read the simulator's clock four times a second, and that worker and the
    answers to its reads were counted as the simulator's CPU (docs/performance.md)."""
    port = _free_port()
    data_dir = settings.work_dir / "simulator"
    args = [
        sys.executable,
        "-m",
        "simulator.cli",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--workers",
        str(settings.workers),
        "--seed",
        "--log-level",
        "warning",
    ]
    if settings.database_url:
        args += ["--database-url", settings.database_url]
    if settings.contracts:
        args += ["--contracts", str(settings.contracts)]
    process, log_path = _spawn(args, settings, "simulator", {"KALLELSE_DISPATCH_WORKERS": "0"})
    url = f"http://127.0.0.1:{port}"
    _wait_answering(f"{url}/api/health", process, log_path, need_ok=True)
    from simulator.storage.database import sqlite_url

    db_url = settings.database_url or sqlite_url(data_dir)
    personnummer, population = addmessage.seeded_people(db_url)
    return Server(process, url, _row_counter(db_url, "inbox_messages"), log_path, personnummer, population)


def _wait_answering(url: str, process: subprocess.Popen, log_path: Path, need_ok: bool, timeout: float = 90) -> None:
    """Until the app answers (gunicorn binds the port before its workers have built the
    app): HTTP 200 if ``need_ok``, else any HTTP status."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200 or not need_ok:
                    return
        except urllib.error.HTTPError:
            if not need_ok:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _gunicorn(
    settings: Settings, name: str, app_spec: str, env: dict, threads: int = 1
) -> tuple[subprocess.Popen, Path, str]:
    """An app under the simulator's gunicorn settings: sync workers, or gthread workers
    (``threads`` > 1, which also keep connections alive) for the threaded variants."""
    port = _free_port()
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(settings.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--no-control-socket",
        app_spec,
    ]
    process, log_path = _spawn(args, settings, name, env)
    url = f"http://127.0.0.1:{port}"
    health = "/api/health" if app_spec.startswith("simulator.") else "/"
    _wait_answering(url + health, process, log_path, need_ok=health != "/")
    return process, log_path, url


def start_gunicorn_app(
    settings: Settings, name: str, factory: str, threads: int = 1, module: str = "loadtests.bench_targets"
) -> Server:
    """A reference app: :mod:`loadtests.bench_targets`, or a comparison target in ``bench/``."""
    db_url = settings.database_url or f"sqlite:///{settings.work_dir / (name + '.sqlite')}"
    if "commit" in factory:
        from loadtests.bench_targets import bench_table

        bench_table(db_url, create=True)[0].dispose()
    env = {"BENCH_DB": db_url, "BENCH_CONTRACTS": str(settings.contracts or "")}
    process, log_path, url = _gunicorn(settings, name, f"{module}:{factory}", env, threads)
    counter = _row_counter(db_url, "bench_messages") if "commit" in factory else None
    return Server(process, url, counter, log_path)


def start_threaded_simulator(settings: Settings) -> Server:
    """An experiment, not how ``kallelse serve`` runs: the same app under gthread workers
    (8 threads each, keep-alive), migrated and seeded first; no dispatch worker."""
    data_dir = settings.work_dir / "simulator-gthread"
    db_args = ["--database-url", settings.database_url] if settings.database_url else []
    subprocess.run(
        [sys.executable, "-m", "simulator.cli", "persons", "seed", "--data-dir", str(data_dir), *db_args],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    env = {
        "KALLELSE_DATA_DIR": str(data_dir),
        "KALLELSE_DATABASE_URL": settings.database_url or "",
        "KALLELSE_CONTRACTS": str(settings.contracts or ""),
        "KALLELSE_LOG_LEVEL": "warning",
    }
    process, log_path, url = _gunicorn(settings, "simulator-gthread", "simulator.app:create_app()", env, threads=8)
    from simulator.storage.database import sqlite_url

    db_url = settings.database_url or sqlite_url(data_dir)
    return Server(
        process, url, _row_counter(db_url, "inbox_messages"), log_path, addmessage.seeded_personnummer(db_url)
    )


def spyne_missing() -> str | None:
    """Why the spyne target cannot run here, or None: it needs the [bench] extra and a
    checkout of the repository (bench/ is not installed)."""
    if importlib.util.find_spec("bench") is None:
        return "the bench/ comparison targets are not installed: run from a checkout of the repository"
    if importlib.util.find_spec("spyne") is None:
        return "spyne is not installed: pip install -e '.[bench]' (Python < 3.13)"
    return None


TARGETS: dict[str, Callable[[Settings], Server]] = {
    "simulator": start_simulator,
    "floor": lambda s: start_gunicorn_app(s, "floor", "floor_app()"),
    "floor+commit": lambda s: start_gunicorn_app(s, "floor-commit", "floor_commit_app()"),
    "group-commit": lambda s: start_gunicorn_app(s, "group-commit", "group_commit_app()", 8, "bench.group_commit"),
    "spyne": lambda s: start_gunicorn_app(s, "spyne", "spyne_app()", module="bench.spyne_app"),
    "floor/gthread": lambda s: start_gunicorn_app(s, "floor-gthread", "floor_app()", threads=8),
    "commit/gthread": lambda s: start_gunicorn_app(s, "commit-gthread", "floor_commit_app()", threads=8),
    "simulator/gthread": start_threaded_simulator,
}
DESCRIPTIONS = {
    "simulator": "kallelse serve (gthread): platform gate, AddMessage producer, notification, traffic row (1 commit)",
    "floor": "lxml parse + SOAPAction + XSD validate + answer, no storage",
    "floor+commit": "floor + one INSERT and COMMIT per request",
    "group-commit": "floor + INSERT via a writer thread committing batches (gthread, 8 threads)",
    "spyne": "spyne 2.14, Soap11(validator='lxml'), no storage",
    "floor/gthread": "the floor under gthread workers (8 threads, keep-alive)",
    "commit/gthread": "floor+commit under gthread workers: one commit per request, no batching",
    "simulator/gthread": "the simulator app under gthread workers (experiment; no dispatch worker)",
}
