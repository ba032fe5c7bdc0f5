"""SOAP benchmark: AddMessage requests/s, p50 and p99 for the simulator and for the
reference apps in :mod:`loadtests.bench_targets`, in one run, on this machine, over
loopback, under the same gunicorn settings (:mod:`loadtests.bench_servers`). Prints a
table, the simulator/floor ratio and (unless ``--no-micro``) the in-process breakdown.

    python -m loadtests.bench_soap [--duration 10] [--connections 16] [--workers 2]
                                   [--database-url URL] [--targets ...] [--json OUT]

The figures in docs/performance.md come from this command.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from loadtests import addmessage, loadgen
from loadtests.bench_operations import OPERATIONS, People, store_status_message
from loadtests.bench_servers import DESCRIPTIONS, TARGETS, Server, Settings, spyne_missing

DEFAULT_TARGETS = ("simulator", "floor", "floor+commit", "spyne")
# Targets that serve every operation; the others serve AddMessage only.
ALL_OPERATIONS_TARGETS = ("simulator", "floor")
# The worker-class and group-commit experiments behind docs/performance.md "Decisions".
EXPERIMENTS = ("floor/gthread", "commit/gthread", "group-commit", "simulator/gthread")


def start_servers(names: tuple[str, ...], settings: Settings, echo) -> tuple[dict[str, Server], list[dict]]:
    """Start every target first (the simulator first: its seeded citizen is used in every
    request), so the rounds can interleave them; idle sync workers cost no CPU."""
    servers, skipped = {}, []
    try:
        for name in sorted(names, key=lambda t: not t.startswith("simulator")):
            if name == "spyne" and (reason := spyne_missing()):
                skipped.append({"target": name, "skipped": reason})
                continue
            echo(f"  {name}: {DESCRIPTIONS[name]}")
            servers[name] = TARGETS[name](settings)
            settings.personnummer = servers[name].personnummer or settings.personnummer
            settings.population = servers[name].population or settings.population
    except BaseException:
        stop_servers(servers)
        raise
    return servers, skipped


def stop_servers(servers: dict[str, Server]) -> None:
    for server in servers.values():
        server.stop()


def measure_once(server: Server, load: loadgen.Load, settings: Settings, count_stored: bool = True) -> dict:
    """One pass; ``count_stored``: count the rows the server stored meanwhile (AddMessage)."""
    before = server.stored() if server.stored and count_stored else None
    cpu_before = server.cpu_seconds()
    result = loadgen.run(load, settings.duration, settings.connections, settings.client)
    cpu = server.cpu_seconds() - cpu_before
    stored = server.stored() - before if server.stored and before is not None else None
    row = {
        **dataclasses.asdict(result),
        "rps": result.rps,
        "answered": result.answered,
        "stored": stored,
        "cpu_us": cpu / result.answered * 1e6 if result.answered else None,
    }
    if result.not_ok and not row["first_bad"]:
        row["first_bad"] = server.log()
    return row


def label(target: str, operation: str) -> str:
    """AddMessage rows keep the target's bare name (earlier runs' JSON and tables)."""
    return target if operation == "AddMessage" else f"{target} {operation}"


def measure_all(
    servers: dict[str, Server], settings: Settings, operations: tuple[str, ...] = ("AddMessage",)
) -> list[dict]:
    """For each operation, ``rounds`` interleaved passes over the targets that serve it;
    each row is the target's median pass, so a burst of other work on a shared machine
    skews one pass, not the ratio."""
    people = People(settings.personnummer, settings.population)
    if "GetMessageStatus" in operations and "simulator" in servers:
        store_status_message(servers["simulator"].url, people, settings.contracts)
    rows = []
    for operation in operations:
        chosen = {
            name: server
            for name, server in servers.items()
            if operation == "AddMessage" or name in ALL_OPERATIONS_TARGETS
        }
        op = OPERATIONS[operation]
        loads = {name: op.load(server.url, people, settings.contracts) for name, server in chosen.items()}
        if settings.warmup > 0:
            for load in loads.values():
                loadgen.run(load, settings.warmup, settings.connections, settings.client)
        passes: dict[str, list[dict]] = {name: [] for name in chosen}
        for _ in range(settings.rounds):
            for name, server in chosen.items():
                try:
                    passes[name].append(measure_once(server, loads[name], settings, operation == "AddMessage"))
                except Exception as exc:
                    raise RuntimeError(f"{name} {operation}: {exc}\n--- server log ---\n{server.log()}") from exc
        for name, runs in passes.items():
            median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
            rows.append(
                {
                    "target": label(name, operation),
                    "server": name,
                    "operation": operation,
                    "workers": settings.workers,
                    **median,
                    "rps_per_round": [round(r["rps"]) for r in runs],
                    "not_ok_total": sum(r["not_ok"] for r in runs),
                    "short_stored": sum(1 for r in runs if r["stored"] is not None and r["stored"] < r["ok"]),
                }
            )
    return rows


def machine() -> dict:
    import gunicorn
    import lxml.etree as etree

    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        wrk_version = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.split(" [")[0]
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_before": round(os.getloadavg()[0], 2),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "lxml": ".".join(map(str, etree.LXML_VERSION[:3])),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version or "not installed",
    }


def table(rows: list[dict]) -> str:
    head = (
        f"{'target':<36}{'client':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/req':>11}{'answered':>10}"
        f"{'not OK':>8}{'errors':>8}{'stored':>8}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        if "skipped" in row:
            lines.append(f"{row['target']:<36}  skipped: {row['skipped']}")
            continue
        stored = "-" if row["stored"] is None else str(row["stored"])
        per_round = row["rps_per_round"]
        rounds = "  (" + " ".join(map(str, per_round)) + ")" if len(per_round) > 1 else ""
        cpu = f"{row['cpu_us']:.0f}" if row["cpu_us"] is not None else "-"
        lines.append(
            f"{row['target']:<36}{row['client']:>7}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}"
            f"{row['p99_ms']:>9.1f}{cpu:>11}{row['answered']:>10}{row['not_ok']:>8}{row['errors']:>8}{stored:>8}"
            f"{rounds}"
        )
    return "\n".join(lines)


def ratio(rows: list[dict], operation: str = "AddMessage") -> float | None:
    by_name = {r["target"]: r for r in rows if "rps" in r}
    simulator, floor = label("simulator", operation), label("floor", operation)
    if simulator in by_name and by_name.get(floor, {}).get("rps"):
        return by_name[simulator]["rps"] / by_name[floor]["rps"]
    return None


def ratios(rows: list[dict]) -> dict[str, float]:
    """simulator/floor in requests/s, per operation measured on both."""
    found = {}
    for operation in dict.fromkeys(r.get("operation", "AddMessage") for r in rows):
        value = ratio(rows, operation)
        if value is not None:
            found[operation] = value
    return found


def run(
    settings: Settings,
    targets: tuple[str, ...],
    micro: bool = True,
    echo: Callable[[str], object] = print,
    operations: tuple[str, ...] = ("AddMessage",),
    min_ratio: float | None = None,
) -> dict:
    info = machine()
    client = settings.client if settings.client != "auto" else ("wrk" if loadgen.wrk_available() else "python")
    if client == "python":
        echo(
            "wrk not found: using the Python multi-process client (slower; figures are a lower bound). "
            "apt-get install wrk for the real figures."
        )
    echo(
        f"{info['date']}  {info['cpu']}, {info['cores']} cores, Python {info['python']}, lxml {info['lxml']}, "
        f"SQLite {info['sqlite']}, gunicorn {info['gunicorn']}, {info['wrk']}"
    )
    if os.getloadavg()[0] > 1.0:
        echo(
            f"warning: load average {os.getloadavg()[0]:.1f} before the run: other processes compete for the "
            f"{os.cpu_count()} cores, so the figures will be low and noisy (compare ratios, or use --rounds 3)"
        )
    echo(
        f"AddMessage {len(addmessage.template())} bytes, {settings.connections} connections, "
        f"{settings.workers} workers, {settings.rounds} x {settings.duration:g} s per target "
        f"(+{settings.warmup:g} s warm-up), load average before {os.getloadavg()[0]:.2f}, "
        f"database {settings.database_url or 'SQLite (WAL, synchronous=NORMAL)'}"
    )
    servers, rows = start_servers(targets, settings, echo)
    try:
        rows = measure_all(servers, settings, operations) + rows
    finally:
        stop_servers(servers)
    echo("")
    echo(table(rows))
    report: dict[str, Any] = {
        "machine": info,
        "settings": {k: str(v) for k, v in dataclasses.asdict(settings).items()},
        "client": client,
        "request_bytes": len(addmessage.template(settings.personnummer)),
        "results": rows,
        "simulator_over_floor": ratio(rows),
        "ratios": ratios(rows),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    if report["simulator_over_floor"] is not None:
        echo(f"\nsimulator/floor = {report['simulator_over_floor']:.2f}")
    for operation, value in report["ratios"].items():
        echo(f"  {operation:<26} simulator/floor = {value:.2f}")
    echo(f"load average after the run: {report['load_average_after']:.2f}")
    report["problems"] = [row["target"] for row in rows if row.get("not_ok_total") or row.get("short_stored")]
    report["below_ratio"] = (
        [op for op, value in report["ratios"].items() if value < min_ratio] if min_ratio is not None else []
    )
    for row in rows:
        if row["target"] in report["problems"]:
            echo(
                f"\n{row['target']}: {row['not_ok_total']} answers were not OK; {row['short_stored']} round(s) "
                f"stored fewer rows than OK answers. First bad answer:\n{row['first_bad']}"
            )
    if micro:
        from loadtests import bench_micro

        echo("")
        report["micro"] = bench_micro.run(settings.contracts, echo=echo)
    return report


@click.command("bench")
@click.option("--duration", type=float, default=10.0, show_default=True, help="Seconds of load per target.")
@click.option("--warmup", type=float, default=1.0, show_default=True, help="Seconds of load before measuring.")
@click.option(
    "--rounds",
    type=int,
    default=1,
    show_default=True,
    help="Interleaved passes over the targets; the table shows each target's median pass.",
)
@click.option("--connections", type=int, default=16, show_default=True, help="Concurrent client connections.")
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn worker processes per server.")
@click.option(
    "--database-url",
    default=None,
    help="Use this database (e.g. PostgreSQL) instead of a fresh SQLite file; the bench writes rows into it.",
)
@click.option(
    "--targets",
    default=",".join(DEFAULT_TARGETS),
    show_default=True,
    help=f"Comma-separated targets; also {', '.join(EXPERIMENTS)}, or 'all'.",
)
@click.option("--client", type=click.Choice(["auto", "wrk", "python"]), default="auto", show_default=True)
@click.option(
    "--contracts",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Contract bundle to serve and validate with (default: the built-in one).",
)
@click.option("--logical-address", default=addmessage.LOGICAL_ADDRESS, show_default=True)
@click.option("--micro/--no-micro", default=True, show_default=True, help="Also run the in-process breakdown.")
@click.option(
    "--operations",
    default="all",
    show_default=True,
    help=f"Comma-separated SOAP operations to measure on simulator and floor ({', '.join(OPERATIONS)}), or 'all'; "
    "the other targets measure AddMessage only.",
)
@click.option(
    "--min-ratio",
    type=float,
    default=None,
    help="Also exit non-zero if any operation's simulator/floor ratio is below this (issue #12: 0.5).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write all figures as JSON to this file.",
)
def bench(
    targets: str, micro: bool, json_out: Path | None, operations: str, min_ratio: float | None, **options: Any
) -> None:
    """Measure throughput and latency of every SOAP operation: simulator vs the lxml floor
    of the same contract (and, for AddMessage, the storage and spyne comparisons)."""
    chosen = (
        DEFAULT_TARGETS + EXPERIMENTS if targets == "all" else tuple(t.strip() for t in targets.split(",") if t.strip())
    )
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown:
        raise click.BadParameter(
            f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}", param_hint="--targets"
        )
    ops = tuple(OPERATIONS) if operations == "all" else tuple(o.strip() for o in operations.split(",") if o.strip())
    bad_ops = [o for o in ops if o not in OPERATIONS]
    if bad_ops:
        raise click.BadParameter(
            f"unknown operation(s) {', '.join(bad_ops)}; choose from {', '.join(OPERATIONS)}", param_hint="--operations"
        )
    settings = Settings(**options)
    try:
        report = run(settings, chosen, micro=micro, echo=click.echo, operations=ops, min_ratio=min_ratio)
    finally:
        shutil.rmtree(settings.work_dir, ignore_errors=True)
    if json_out:
        json_out.write_text(json.dumps(report, indent=2, default=str))
        click.echo(f"\nfigures written to {json_out}")
    if report["problems"]:
        raise SystemExit(f"answers that were not OK (or not stored) from: {', '.join(report['problems'])}")
    if report["below_ratio"]:
        raise SystemExit(f"simulator/floor below {min_ratio} for: {', '.join(report['below_ratio'])}")


if __name__ == "__main__":
    bench()
