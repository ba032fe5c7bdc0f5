"""SOAP benchmark: AddMessage requests/s, p50 and p99 for the simulator and for the
reference apps in :mod:`loadtests.bench_targets`, in one run, on this machine, over
loopback, with gunicorn sync workers for all of them. Prints a table, the
simulator/floor ratio and (unless ``--no-micro``) the in-process cost breakdown.

    python -m loadtests.bench_soap [--duration 10] [--connections 16] [--workers 2]
                                   [--database-url URL] [--targets ...] [--json OUT]

The figures in docs/performance.md come from this command.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import click

from loadtests import addmessage, loadgen

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TARGETS = ("simulator", "floor", "floor+commit", "spyne")
# The worker-class and group-commit experiments behind docs/performance.md "Decisions".
EXPERIMENTS = ("floor/gthread", "commit/gthread", "group-commit", "simulator/gthread")


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
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
                               env={**os.environ, **(env or {})})
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
    """``kallelse serve`` exactly as a user starts it: migrated, seeded, N sync workers."""
    port = _free_port()
    data_dir = settings.work_dir / "simulator"
    args = [sys.executable, "-m", "simulator.cli", "serve", "--port", str(port), "--data-dir", str(data_dir),
            "--workers", str(settings.workers), "--seed", "--log-level", "warning"]
    if settings.database_url:
        args += ["--database-url", settings.database_url]
    if settings.contracts:
        args += ["--contracts", str(settings.contracts)]
    process, log_path = _spawn(args, settings, "simulator")
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(f"{url}/api/health", process, log_path)
    from simulator.storage.database import sqlite_url
    db_url = settings.database_url or sqlite_url(data_dir)
    return Server(process, url, _row_counter(db_url, "inbox_messages"), log_path,
                  addmessage.seeded_personnummer(db_url))


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _gunicorn(settings: Settings, name: str, app_spec: str, env: dict, threads: int = 1) -> tuple[subprocess.Popen, Path, str]:
    """An app under the simulator's gunicorn settings: sync workers, or gthread workers
    (``threads`` > 1, which also keep connections alive) for the threaded variants."""
    port = _free_port()
    args = [sys.executable, "-m", "gunicorn", "--workers", str(settings.workers), "--bind", f"127.0.0.1:{port}",
            "--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads),
            "--timeout", "120", "--log-level", "warning", "--no-control-socket", app_spec]
    process, log_path = _spawn(args, settings, name, env)
    url = f"http://127.0.0.1:{port}"
    loadgen.wait_until_listening(url, process=process)
    return process, log_path, url


def start_gunicorn_app(settings: Settings, name: str, factory: str, threads: int = 1) -> Server:
    """A reference app from :mod:`loadtests.bench_targets`."""
    db_url = settings.database_url or f"sqlite:///{settings.work_dir / (name + '.sqlite')}"
    if "commit" in factory:
        from loadtests.bench_targets import bench_table
        bench_table(db_url, create=True)[0].dispose()
    env = {"BENCH_DB": db_url, "BENCH_CONTRACTS": str(settings.contracts or "")}
    process, log_path, url = _gunicorn(settings, name, f"loadtests.bench_targets:{factory}", env, threads)
    counter = _row_counter(db_url, "bench_messages") if "commit" in factory else None
    return Server(process, url, counter, log_path)


def start_threaded_simulator(settings: Settings) -> Server:
    """An experiment, not how ``kallelse serve`` runs: the same app under gthread workers
    (8 threads each, keep-alive), migrated and seeded first; no dispatch worker."""
    data_dir = settings.work_dir / "simulator-gthread"
    db_args = ["--database-url", settings.database_url] if settings.database_url else []
    subprocess.run([sys.executable, "-m", "simulator.cli", "persons", "seed", "--data-dir", str(data_dir), *db_args],
                   cwd=ROOT, check=True, capture_output=True)
    env = {"KALLELSE_DATA_DIR": str(data_dir), "KALLELSE_DATABASE_URL": settings.database_url or "",
           "KALLELSE_CONTRACTS": str(settings.contracts or ""), "KALLELSE_LOG_LEVEL": "warning"}
    process, log_path, url = _gunicorn(settings, "simulator-gthread", "simulator.app:create_app()", env, threads=8)
    from simulator.storage.database import sqlite_url
    db_url = settings.database_url or sqlite_url(data_dir)
    return Server(process, url, _row_counter(db_url, "inbox_messages"), log_path,
                  addmessage.seeded_personnummer(db_url))


def _spyne_missing() -> str | None:
    try:
        import spyne  # noqa: F401
    except ImportError as exc:
        return f"spyne is not installed ({exc}); install the load extra: pip install -e '.[load]'"
    return None


TARGETS: dict[str, Callable[[Settings], Server]] = {
    "simulator": start_simulator,
    "floor": lambda s: start_gunicorn_app(s, "floor", "floor_app()"),
    "floor+commit": lambda s: start_gunicorn_app(s, "floor-commit", "floor_commit_app()"),
    "group-commit": lambda s: start_gunicorn_app(s, "group-commit", "group_commit_app()", threads=8),
    "spyne": lambda s: start_gunicorn_app(s, "spyne", "spyne_app()"),
    "floor/gthread": lambda s: start_gunicorn_app(s, "floor-gthread", "floor_app()", threads=8),
    "commit/gthread": lambda s: start_gunicorn_app(s, "commit-gthread", "floor_commit_app()", threads=8),
    "simulator/gthread": start_threaded_simulator,
}
DESCRIPTIONS = {
    "simulator": "kallelse serve: platform gate and recorder, AddMessage producer, notifications (3 commits)",
    "floor": "lxml parse + SOAPAction + XSD validate + answer, no storage",
    "floor+commit": "floor + one INSERT and COMMIT per request",
    "group-commit": "floor + INSERT via a writer thread committing batches (gthread, 8 threads)",
    "spyne": "spyne 2.14, Soap11(validator='lxml'), no storage",
    "floor/gthread": "the floor under gthread workers (8 threads, keep-alive)",
    "commit/gthread": "floor+commit under gthread workers: one commit per request, no batching",
    "simulator/gthread": "the simulator app under gthread workers (experiment; no dispatch worker)",
}


def start_servers(names: tuple[str, ...], settings: Settings, echo) -> tuple[dict[str, Server], list[dict]]:
    """Start every target first (the simulator first: its seeded citizen is used in every
    request), so the rounds can interleave them; idle sync workers cost no CPU."""
    servers, skipped = {}, []
    try:
        for name in sorted(names, key=lambda t: not t.startswith("simulator")):
            if name == "spyne" and (reason := _spyne_missing()):
                skipped.append({"target": name, "skipped": reason})
                continue
            echo(f"  {name}: {DESCRIPTIONS[name]}")
            servers[name] = TARGETS[name](settings)
            settings.personnummer = servers[name].personnummer or settings.personnummer
    except BaseException:
        stop_servers(servers)
        raise
    return servers, skipped


def stop_servers(servers: dict[str, Server]) -> None:
    for server in servers.values():
        server.stop()


def measure_once(server: Server, load: loadgen.Load, settings: Settings) -> dict:
    before = server.stored() if server.stored else None
    cpu_before = server.cpu_seconds()
    result = loadgen.run(load, settings.duration, settings.connections, settings.client)
    cpu = server.cpu_seconds() - cpu_before
    stored = server.stored() - before if server.stored else None
    row = {**dataclasses.asdict(result), "rps": result.rps, "answered": result.answered, "stored": stored,
           "cpu_us": cpu / result.answered * 1e6 if result.answered else None}
    if result.not_ok and not row["first_bad"]:
        row["first_bad"] = server.log()
    return row


def measure_all(servers: dict[str, Server], settings: Settings) -> list[dict]:
    """``rounds`` interleaved passes over the targets; each target's row is its median
    pass, so a burst of other work on a shared machine skews one pass, not the ratio."""
    loads = {name: addmessage.load(server.url, settings.personnummer, settings.logical_address, settings.contracts)
             for name, server in servers.items()}
    if settings.warmup > 0:
        for name, load in loads.items():
            loadgen.run(load, settings.warmup, settings.connections, settings.client)
    passes: dict[str, list[dict]] = {name: [] for name in servers}
    for _ in range(settings.rounds):
        for name, server in servers.items():
            try:
                passes[name].append(measure_once(server, loads[name], settings))
            except Exception as exc:
                raise RuntimeError(f"{name}: {exc}\n--- server log ---\n{server.log()}") from exc
    rows = []
    for name, runs in passes.items():
        median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
        rows.append({"target": name, "workers": settings.workers, **median,
                     "rps_per_round": [round(r["rps"]) for r in runs],
                     "not_ok_total": sum(r["not_ok"] for r in runs),
                     "short_stored": sum(1 for r in runs if r["stored"] is not None and r["stored"] < r["ok"])})
    return rows


def machine() -> dict:
    import gunicorn
    import lxml.etree as etree
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        wrk_version = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.split(" [")[0]
    return {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average_before": round(os.getloadavg()[0], 2),
            "cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(),
            "python": platform.python_version(), "lxml": ".".join(map(str, etree.LXML_VERSION[:3])),
            "libxml2": ".".join(map(str, etree.LIBXML_VERSION)), "sqlite": sqlite3.sqlite_version,
            "gunicorn": gunicorn.__version__, "wrk": wrk_version or "not installed"}


def table(rows: list[dict]) -> str:
    head = f"{'target':<14}{'client':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/req':>11}{'answered':>10}" \
           f"{'not OK':>8}{'errors':>8}{'stored':>8}"
    lines = [head, "-" * len(head)]
    for row in rows:
        if "skipped" in row:
            lines.append(f"{row['target']:<14}  skipped: {row['skipped']}")
            continue
        stored = "-" if row["stored"] is None else str(row["stored"])
        per_round = row["rps_per_round"]
        rounds = "  (" + " ".join(map(str, per_round)) + ")" if len(per_round) > 1 else ""
        cpu = f"{row['cpu_us']:.0f}" if row["cpu_us"] is not None else "-"
        lines.append(f"{row['target']:<14}{row['client']:>7}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}"
                     f"{row['p99_ms']:>9.1f}{cpu:>11}{row['answered']:>10}{row['not_ok']:>8}{row['errors']:>8}{stored:>8}"
                     f"{rounds}")
    return "\n".join(lines)


def ratio(rows: list[dict]) -> float | None:
    by_name = {r["target"]: r for r in rows if "rps" in r}
    if "simulator" in by_name and by_name.get("floor", {}).get("rps"):
        return by_name["simulator"]["rps"] / by_name["floor"]["rps"]
    return None


def run(settings: Settings, targets: tuple[str, ...], micro: bool = True, echo=print) -> dict:
    info = machine()
    client = settings.client if settings.client != "auto" else ("wrk" if loadgen.wrk_available() else "python")
    if client == "python":
        echo("wrk not found: using the Python multi-process client (slower; figures are a lower bound). "
             "apt-get install wrk for the real figures.")
    echo(f"{info['date']}  {info['cpu']}, {info['cores']} cores, Python {info['python']}, lxml {info['lxml']}, "
         f"SQLite {info['sqlite']}, gunicorn {info['gunicorn']}, {info['wrk']}")
    if os.getloadavg()[0] > 1.0:
        echo(f"warning: load average {os.getloadavg()[0]:.1f} before the run: other processes compete for the "
             f"{os.cpu_count()} cores, so the figures will be low and noisy (compare ratios, or use --rounds 3)")
    echo(f"AddMessage {len(addmessage.template())} bytes, {settings.connections} connections, "
         f"{settings.workers} workers, {settings.rounds} x {settings.duration:g} s per target "
         f"(+{settings.warmup:g} s warm-up), load average before {os.getloadavg()[0]:.2f}, "
         f"database {settings.database_url or 'SQLite (WAL, synchronous=NORMAL)'}")
    servers, rows = start_servers(targets, settings, echo)
    try:
        rows = measure_all(servers, settings) + rows
    finally:
        stop_servers(servers)
    echo("")
    echo(table(rows))
    report = {"machine": info, "settings": {k: str(v) for k, v in dataclasses.asdict(settings).items()},
              "client": client, "request_bytes": len(addmessage.template(settings.personnummer)), "results": rows,
              "simulator_over_floor": ratio(rows)}
    if report["simulator_over_floor"] is not None:
        echo(f"\nsimulator/floor = {report['simulator_over_floor']:.2f}")
    report["problems"] = [row["target"] for row in rows if row.get("not_ok_total") or row.get("short_stored")]
    for row in rows:
        if row["target"] in report["problems"]:
            echo(f"\n{row['target']}: {row['not_ok_total']} answers were not OK; {row['short_stored']} round(s) "
                 f"stored fewer rows than OK answers. First bad answer:\n{row['first_bad']}")
    if micro:
        from loadtests import bench_micro
        echo("")
        report["micro"] = bench_micro.run(settings.contracts, echo=echo)
    return report


@click.command("bench")
@click.option("--duration", type=float, default=10.0, show_default=True, help="Seconds of load per target.")
@click.option("--warmup", type=float, default=1.0, show_default=True, help="Seconds of load before measuring.")
@click.option("--rounds", type=int, default=1, show_default=True,
              help="Interleaved passes over the targets; the table shows each target's median pass.")
@click.option("--connections", type=int, default=16, show_default=True, help="Concurrent client connections.")
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn sync workers per server.")
@click.option("--database-url", default=None, help="Use this database (e.g. PostgreSQL) instead of a fresh "
                                                   "SQLite file; the bench writes rows into it.")
@click.option("--targets", default=",".join(DEFAULT_TARGETS), show_default=True,
              help=f"Comma-separated targets; also {', '.join(EXPERIMENTS)}, or 'all'.")
@click.option("--client", type=click.Choice(["auto", "wrk", "python"]), default="auto", show_default=True)
@click.option("--contracts", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Contract bundle to serve and validate with (default: the built-in one).")
@click.option("--logical-address", default=addmessage.LOGICAL_ADDRESS, show_default=True)
@click.option("--micro/--no-micro", default=True, show_default=True, help="Also run the in-process breakdown.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write all figures as JSON to this file.")
def bench(targets: str, micro: bool, json_out: Path | None, **options) -> None:
    """Measure AddMessage throughput and latency: simulator vs the lxml floor vs spyne."""
    chosen = DEFAULT_TARGETS + EXPERIMENTS if targets == "all" else \
        tuple(t.strip() for t in targets.split(",") if t.strip())
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown:
        raise click.BadParameter(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}",
                                 param_hint="--targets")
    settings = Settings(**options)
    try:
        report = run(settings, chosen, micro=micro, echo=click.echo)
    finally:
        shutil.rmtree(settings.work_dir, ignore_errors=True)
    if json_out:
        json_out.write_text(json.dumps(report, indent=2, default=str))
        click.echo(f"\nfigures written to {json_out}")
    if report["problems"]:
        raise SystemExit(f"answers that were not OK (or not stored) from: {', '.join(report['problems'])}")


if __name__ == "__main__":
    bench()
