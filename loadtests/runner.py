"""``kallelse load run``: one locust scenario (or several side by side) headless against a
simulator, then the after-load phase (the dispatch scenarios drain), reconciliation of
the ledger against the store, and the SLOs of loadtests/slo.toml — all into one report
folder (locust CSV + HTML, summary.json, summary.md) and one exit code:

0 the SLOs are met and nothing was lost or duplicated; 1 an SLO is not met;
2 reconciliation found a lost or duplicated message/booking (whatever the speed);
3 the run itself failed (server or locust did not start, locust crashed).

Without ``--target`` the runner starts its own ``kallelse serve`` (SQLite in the report
folder, or ``--database-url``) and measures its CPU and memory. ``--workers N`` runs
locust distributed: one master and N local worker processes, same command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import click

from loadtests import ledger, reconcile, report, slo, stats
from loadtests.scenarios import SCENARIOS, Scenario, resolve
from loadtests.servers import ROOT, ResourceSampler, Simulator, free_port, spawn, start_simulator

EXIT_OK, EXIT_SLO, EXIT_RECONCILE, EXIT_ERROR = 0, 1, 2, 3


@dataclasses.dataclass
class Options:
    scenarios: list[Scenario]
    report: Path
    users: int = 10
    spawn_rate: float = 10
    duration: str = "60s"
    target: str | None = None
    workers: int = 0  # locust worker processes (0: one local process)
    expect_workers: int = 0  # workers started elsewhere (docker-compose), not by us
    master_bind_host: str = "127.0.0.1"
    master_port: int | None = None
    database_url: str | None = None
    server_processes: int = 2  # gunicorn workers of the simulator we start
    dispatch_workers: int = 1  # PostgreSQL: separate `kallelse worker` processes
    slo_profile: str | None = "default"  # None: measure only (the matrix)
    slo_file: Path | None = None
    tags: str | None = None
    bookings: int | None = None  # screening_campaign burst size
    citizens_per_user: int | None = None
    wait: float | None = None
    rate: float | None = None  # soak: calls per second of each vendor user
    floor: bool = False  # the target is the bench's lean floor app (AddMessage only)
    run_id: str = dataclasses.field(default_factory=lambda: os.environ.get("KALLELSE_LOAD_RUN") or uuid.uuid4().hex[:8])

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def seconds(self) -> float:
        return parse_duration(self.duration)


def parse_duration(text: str) -> float:
    """locust's ``-t`` forms: 90, 90s, 2m, 1h30m."""
    text, total, number = str(text).strip(), 0.0, ""
    for char in text:
        if char.isdigit() or char == ".":
            number += char
        elif char in "hms" and number:
            total += float(number) * {"h": 3600, "m": 60, "s": 1}[char]
            number = ""
        else:
            raise click.BadParameter(f"{text!r} is not a duration such as 90s, 2m or 1h30m", param_hint="--duration")
    return total + (float(number) if number else 0.0)


def load_env(options: Options) -> dict:
    """Every locust process (master, workers) reads its settings from these."""
    env = {
        "KALLELSE_LOAD_RUN": options.run_id,
        "KALLELSE_LOAD_LEDGER": str(options.report / "ledger"),
        "KALLELSE_LOAD_PROCESSES": str(max(1, options.workers, options.expect_workers)),
    }
    if options.floor:
        env["KALLELSE_LOAD_FLOOR"] = "1"
    for name, value in (
        ("KALLELSE_LOAD_BOOKINGS", options.bookings),
        ("KALLELSE_LOAD_CITIZENS", options.citizens_per_user),
        ("KALLELSE_LOAD_WAIT", options.wait),
        ("KALLELSE_LOAD_RATE", options.rate),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def locust_commands(options: Options, url: str) -> tuple[list[str], list[list[str]]]:
    """(the master or only process's command, the worker commands)."""
    main = locust_base(options.scenarios) + [
        "--headless",
        "-u",
        str(options.users),
        "-r",
        str(options.spawn_rate),
        "-t",
        options.duration,
        "-H",
        url,
        "--csv",
        str(options.report / "locust"),
        "--html",
        str(options.report / "locust.html"),
        "--json-file",
        str(options.report / "locust"),
        "--stop-timeout",
        "10",
        "--only-summary",
    ]
    if options.tags:
        main += ["--tags", *options.tags.split(",")]
    expected = options.workers + options.expect_workers
    if expected <= 0:
        return main, []
    port = options.master_port or free_port()
    main += [
        "--master",
        "--master-bind-host",
        options.master_bind_host,
        "--master-bind-port",
        str(port),
        "--expect-workers",
        str(expected),
        "--expect-workers-max-wait",
        "120",
    ]
    return main, [worker_command(options.scenarios, "127.0.0.1", port)] * options.workers


def locust_base(scenarios: list[Scenario]) -> list[str]:
    files = ",".join(str(s.locustfile) for s in scenarios)
    return [sys.executable, "-m", "locust", "-f", files, "--loglevel", "WARNING"]


def worker_command(scenarios: list[Scenario], master_host: str, master_port: int) -> list[str]:
    return locust_base(scenarios) + ["--worker", "--master-host", master_host, "--master-port", str(master_port)]


def run_locust(options: Options, url: str, echo) -> int:
    main, workers = locust_commands(options, url)
    env = load_env(options)
    echo(f"locust: {len(workers) or 'no'} worker process(es), {options.users} users, {options.duration}")
    master = spawn(main, options.report / "locust.log", env)
    children = [spawn(cmd, options.report / f"locust-worker-{i}.log", env) for i, cmd in enumerate(workers)]
    try:
        code = master.wait(timeout=options.seconds + 180)
    except subprocess.TimeoutExpired:
        master.kill()
        code = -9
    finally:
        for child in children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
    return code


def after_load(options: Options, url: str, echo) -> dict:
    figures = {}
    for scenario in options.scenarios:
        if scenario.after:
            module, _, name = scenario.after.partition(":")
            figures.update(getattr(importlib.import_module(module), name)(url, options, echo))
    return figures


def execute(options: Options, echo=click.echo) -> dict:
    options.report.mkdir(parents=True, exist_ok=True)
    for stale in (options.report / "ledger").glob("ledger-*.jsonl"):  # a report folder reused (a volume)
        stale.unlink()
    started = dt.datetime.now(dt.UTC)
    simulator: Simulator | None = None
    result: dict = {
        "run_id": options.run_id,
        "scenarios": options.names,
        "started": started.isoformat(),
        "options": {k: str(v) for k, v in dataclasses.asdict(options).items() if k != "scenarios"},
        "machine": report.machine(),
    }
    try:
        if options.target:
            url = options.target.rstrip("/")
        else:
            echo(
                f"starting kallelse serve ({options.server_processes} processes, "
                f"{'PostgreSQL' if options.database_url else 'SQLite'})"
            )
            simulator = start_simulator(
                options.report / "server", options.server_processes, options.database_url, options.dispatch_workers
            )
            url = simulator.url
        result["target"] = url
        sampler = ResourceSampler(simulator.pids).start() if simulator else None
        began = time.monotonic()
        result["locust_exit"] = run_locust(options, url, echo)
        result["load_seconds"] = round(time.monotonic() - began, 1)
        result["after"] = after_load(options, url, echo)
        result["resources"] = sampler.stop() if sampler else None
        result["stats"] = stats.read(options.report)
        if not result["stats"]:
            raise RuntimeError(
                f"locust wrote no statistics (exit {result['locust_exit']}); see {options.report / 'locust.log'}"
            )
        entries = ledger.read(options.report / "ledger")
        echo("reconciling what was acknowledged with what is stored ...")
        result["reconciliation"] = reconcile.run_checks(
            url, entries, options.run_id, expect_fallback=bool(result["after"].get("clock_advanced"))
        )
        if options.slo_profile:
            objectives = slo.load(options.slo_profile, options.names, options.slo_file)
            result["slo"] = slo.evaluate(
                objectives, result["stats"], {**result["after"], **(result["resources"] or {})}
            )
        else:
            result["slo"] = []
        result["exit"] = (
            EXIT_RECONCILE
            if not result["reconciliation"]["ok"]
            else EXIT_SLO
            if not all(v["ok"] for v in result["slo"])
            else EXIT_OK
        )
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        if simulator:
            result["server_log"] = simulator.log()
        result["exit"] = EXIT_ERROR
    finally:
        if simulator:
            simulator.stop()
    report.write(options.report, result)
    echo(report.markdown(result))
    return result


@click.command("run")
@click.option(
    "--scenario",
    "scenario_names",
    required=True,
    help=f"Scenario name, or several comma-separated: {', '.join(SCENARIOS)}.",
)
@click.option("--users", type=int, default=10, show_default=True, help="Concurrent simulated users.")
@click.option("--spawn-rate", type=float, default=10, show_default=True, help="Users started per second.")
@click.option(
    "--duration",
    default="60s",
    show_default=True,
    help="Run time: 90s, 2m, 1h30m (screening_campaign: an upper bound; it stops when the burst is posted).",
)
@click.option("--target", default=None, help="Base URL of a running simulator (default: start one).")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for locust CSV/HTML, summary.json and summary.md.",
)
@click.option(
    "--workers",
    type=int,
    default=0,
    show_default=True,
    help="Distributed locust: one master and N local worker processes.",
)
@click.option(
    "--expect-workers",
    type=int,
    default=0,
    show_default=True,
    help="Distributed locust with workers started elsewhere (kallelse load worker), e.g. containers.",
)
@click.option(
    "--master-bind-host",
    default="127.0.0.1",
    show_default=True,
    help="Where the locust master listens for workers (0.0.0.0 in a container).",
)
@click.option("--master-port", type=int, default=None, help="The locust master's port [a free one; 5557 in compose].")
@click.option("--database-url", default=None, help="PostgreSQL for the simulator this command starts.")
@click.option(
    "--server-processes",
    type=int,
    default=2,
    show_default=True,
    help="gunicorn workers of the simulator this command starts.",
)
@click.option(
    "--dispatch-workers",
    type=int,
    default=1,
    show_default=True,
    help="Dispatch worker processes (PostgreSQL only; SQLite has one embedded worker).",
)
@click.option("--slo-profile", default="default", show_default=True, help="Profile in slo.toml (e.g. ci).")
@click.option(
    "--slo",
    "slo_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Another SLO file (default: loadtests/slo.toml).",
)
@click.option("--tags", default=None, help="Only locust tasks with these tags (e.g. addmessage).")
@click.option("--bookings", type=int, default=None, help="screening_campaign: bookings in the burst [50000].")
@click.option("--citizens-per-user", type=int, default=None, help="Citizens each user creates [3].")
@click.option("--wait", type=float, default=None, help="Most seconds a vendor user waits between calls [0].")
@click.option("--rate", type=float, default=None, help="soak: calls per second of each vendor user [2].")
def run(scenario_names: str, report_dir: Path, **options) -> None:
    """Run locust scenarios headless, reconcile, check the SLOs; exit 0/1/2/3."""
    try:
        scenarios = resolve(scenario_names)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scenario") from None
    parse_duration(options["duration"])
    if options["dispatch_workers"] > 1 and not options["database_url"] and not options["target"]:
        raise click.BadParameter(
            "more than one dispatch worker needs PostgreSQL (--database-url)", param_hint="--dispatch-workers"
        )
    result = execute(Options(scenarios=scenarios, report=report_dir, **options))
    sys.exit(result["exit"])


@click.command("worker")
@click.option("--scenario", "scenario_names", required=True, help="The same scenario(s) as the master's run.")
@click.option("--master-host", required=True, help="Host of the master (kallelse load run --expect-workers).")
@click.option("--master-port", type=int, default=5557, show_default=True)
def worker(scenario_names: str, master_host: str, master_port: int) -> None:
    """A locust worker for a distributed run whose master is `kallelse load run
    --expect-workers N`; settings come from the KALLELSE_LOAD_* environment (docs/loadtests.md)."""
    try:
        scenarios = resolve(scenario_names)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scenario") from None
    sys.exit(subprocess.call(worker_command(scenarios, master_host, master_port), cwd=ROOT))


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    run()
