"""``kallelse load matrix``: the performance record in one command. For SQLite and
PostgreSQL, with 1, 2 and 4 server processes, it runs (each through ``kallelse load
run``'s own code, each reconciled):

1. the lean floor (loadtests.bench_targets' ``floor_app`` under gunicorn with the same
   process count, started by the bench's own ``TARGETS["floor"]``) with vendor_traffic's
   AddMessage task only, and the simulator with the same AddMessage-only load — the
   like-for-like ratio;
2. vendor_traffic and citizens_reading side by side;
3. dispatch_end_to_end;
4. screening_campaign (a small burst; ``--bookings``).

Each row shows requests/s and p50/p95/p99 of the simulator's endpoints, kallelser/s end
to end, the server's CPU and peak memory (psutil), and the floor's requests/s with the
ratio row/floor measured minutes apart on the same machine. Writes matrix.json and
matrix.md; every run's full report is in a sub-folder."""

from __future__ import annotations

import dataclasses
import json
import os
import time
import uuid
from pathlib import Path

import click

from loadtests import report
from loadtests.runner import EXIT_OK, Options, execute
from loadtests.scenarios import resolve

POSTGRES = os.environ.get("KALLELSE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RUNS = (
    ("floor: AddMessage", "vendor_traffic", "addmessage"),
    ("simulator: AddMessage", "vendor_traffic", "addmessage"),
    ("vendor_traffic + citizens_reading", "vendor_traffic,citizens_reading", None),
    ("dispatch_end_to_end", "dispatch_end_to_end", None),
    ("screening_campaign", "screening_campaign", None),
)


@dataclasses.dataclass
class Plan:
    report: Path
    databases: tuple[str, ...] = ("sqlite", "postgresql")
    processes: tuple[int, ...] = (1, 2, 4)
    duration: str = "20s"
    users: int = 10
    bookings: int = 300
    postgres: str = POSTGRES


def new_schema(base_url: str) -> tuple[str, str]:
    import sqlalchemy as sa

    name = f"kl_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return f"{base_url}?options=-csearch_path%3D{name}", name


def drop_schema(base_url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


def simulator_rows(stats: list[dict]) -> list[dict]:
    return [
        r
        for r in stats
        if r["Name"] != "Aggregated" and not r["Name"].startswith(("setup:", "poll:")) and r["Type"] != "E2E"
    ]


def figures(result: dict) -> dict:
    """One matrix cell from a run: load requests (not setup, polls or E2E metrics)."""
    rows = simulator_rows(result.get("stats", []))
    count = sum(r["Request Count"] for r in rows)

    def pct(key):  # request-weighted: the aggregate of several request names
        return round(sum(r[key] * r["Request Count"] for r in rows) / count) if count else None

    e2e = next((r for r in result.get("stats", []) if r["Name"] == "E2E booking→inbox"), None)
    after = result.get("after") or {}
    resources = result.get("resources") or {}
    cpu_ms = round(resources["cpu_seconds"] * 1000 / count, 2) if count and resources.get("cpu_seconds") else None
    return {
        "rps": round(sum(r["Requests/s"] for r in rows), 1),
        "requests": count,
        "cpu_ms_per_request": cpu_ms,
        "p50": pct("50%"),
        "p95": pct("95%"),
        "p99": max((r["99%"] for r in rows), default=None),
        "failures": sum(r["Failure Count"] for r in rows),
        "kallelser_per_s": after.get("kallelser_per_s"),
        "e2e_p50": e2e["50%"] if e2e else None,
        "e2e_p99": e2e["99%"] if e2e else None,
        "drain_s": after.get("drain_s"),
        "resources": result.get("resources"),
        "exit": result["exit"],
        "reconciled": (result.get("reconciliation") or {}).get("ok"),
    }


def floor_server(processes: int, work_dir: Path):
    from loadtests.bench_soap import TARGETS, Settings

    work_dir.mkdir(parents=True, exist_ok=True)
    return TARGETS["floor"](Settings(workers=processes, work_dir=work_dir))


def one_config(plan: Plan, database: str, processes: int, echo) -> dict:
    folder = plan.report / f"{database}-{processes}"
    url, schema = new_schema(plan.postgres) if database == "postgresql" else (None, None)
    cells = {}
    try:
        for label, scenario, tags in RUNS:
            echo(f"== {database}, {processes} process(es): {label}")
            options = Options(
                scenarios=resolve(scenario),
                report=folder / folder_name(label),
                users=plan.users,
                spawn_rate=plan.users,
                duration=plan.duration,
                tags=tags,
                database_url=url,
                server_processes=processes,
                slo_profile=None,
                dispatch_workers=processes if url else 1,
                bookings=plan.bookings,
            )
            if label.startswith("floor"):
                server = floor_server(processes, folder / "floor-server")
                options.target, options.floor = server.url, True
                try:
                    cells[label] = figures(execute(options, echo=lambda *_: None))
                finally:
                    server.stop()
            else:
                cells[label] = figures(execute(options, echo=lambda *_: None))
            echo(f"   {cells[label]['rps']} req/s, p99 {cells[label]['p99']} ms, exit {cells[label]['exit']}")
    finally:
        if schema:
            drop_schema(plan.postgres, schema)
    return with_floor(cells)


def folder_name(label: str) -> str:
    return label.split(":")[0].replace(" ", "")


def with_floor(cells: dict) -> dict:
    """Every cell beside the floor measured with the same process count."""
    floor = cells["floor: AddMessage"]["rps"]
    for cell in cells.values():
        cell["floor_rps"] = floor
        cell["ratio"] = round(cell["rps"] / floor, 2) if floor else None
    return cells


def rebuild_matrix(report_dir: Path) -> dict:
    """The matrix again from the run reports under ``report_dir`` (after a change to the
    tables, without measuring again)."""
    matrix = json.loads((report_dir / "matrix.json").read_text(encoding="utf-8"))
    for key in matrix["results"]:
        cells = {
            label: figures(json.loads((report_dir / key / folder_name(label) / "summary.json").read_text()))
            for label, _, _ in RUNS
        }
        matrix["results"][key] = with_floor(cells)
    return matrix


def markdown(matrix: dict) -> str:
    machine = matrix["machine"]
    lines = [
        f"# Load matrix {matrix['date']}",
        "",
        f"{machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, SQLite {machine['sqlite']}; "
        f"{matrix['plan']['users']} users, {matrix['plan']['duration']} per run, screening burst "
        f"{matrix['plan']['bookings']} bookings; load average {matrix['load_before']} before, "
        f"{matrix['load_after']} after.",
        "",
    ]
    for label, _, _ in RUNS[1:]:
        lines += [
            f"## {label}",
            "",
            "| database | processes | req/s | p50 ms | p95 ms | p99 ms | kallelser/s | E2E p50/p99 ms | "
            "CPU ms/req | CPU s (%) | peak MB | floor req/s | ratio | reconciled |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key, cells in matrix["results"].items():
            database, processes = key.rsplit("-", 1)
            c = cells[label]
            r = c["resources"] or {}
            e2e = f"{c['e2e_p50']}/{c['e2e_p99']}" if c["e2e_p50"] is not None else "-"
            lines.append(
                f"| {database} | {processes} | {c['rps']} | {c['p50']} | {c['p95']} | {c['p99']} | "
                f"{c['kallelser_per_s'] or '-'} | {e2e} | {c.get('cpu_ms_per_request') or '-'} | "
                f"{r.get('cpu_seconds')} ({r.get('cpu_percent')}) | "
                f"{r.get('peak_rss_mb')} | {c['floor_rps']} | {c['ratio']} | "
                f"{'yes' if c['reconciled'] else '**NO**'} |"
            )
        lines.append("")
    return "\n".join(lines)


def run_matrix(plan: Plan, echo=click.echo) -> dict:
    plan.report.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    matrix = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": report.machine(),
        "plan": {k: str(v) for k, v in dataclasses.asdict(plan).items()},
        "load_before": round(os.getloadavg()[0], 2),
        "results": results,
    }
    for database in plan.databases:
        for processes in plan.processes:
            results[f"{database}-{processes}"] = one_config(plan, database, processes, echo)
    matrix["load_after"] = round(os.getloadavg()[0], 2)
    (plan.report / "matrix.json").write_text(json.dumps(matrix, indent=2, default=str), encoding="utf-8")
    (plan.report / "matrix.md").write_text(markdown(matrix), encoding="utf-8")
    return matrix


@click.command("matrix")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--databases", default="sqlite,postgresql", show_default=True)
@click.option("--processes", default="1,2,4", show_default=True, help="Server process counts.")
@click.option("--duration", default="20s", show_default=True, help="Per run.")
@click.option("--users", type=int, default=10, show_default=True)
@click.option("--bookings", type=int, default=300, show_default=True, help="screening_campaign burst per config.")
@click.option("--postgres", default=POSTGRES, show_default=True, help="PostgreSQL database (a schema per config).")
@click.option("--rebuild", is_flag=True, help="Only redo matrix.json/matrix.md from the run reports in --report.")
def matrix(report_dir: Path, databases: str, processes: str, rebuild: bool, **options) -> None:
    """The performance record: every scenario on SQLite and PostgreSQL with 1, 2 and 4
    server processes, next to the lean floor; exit 2 if any run lost or duplicated data."""
    plan = Plan(
        report=report_dir,
        databases=tuple(d.strip() for d in databases.split(",")),
        processes=tuple(int(p) for p in processes.split(",")),
        **options,
    )
    if rebuild:
        result = rebuild_matrix(report_dir)
        (report_dir / "matrix.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        (report_dir / "matrix.md").write_text(markdown(result), encoding="utf-8")
    else:
        result = run_matrix(plan)
    click.echo(markdown(result))
    failed = [k for k, cells in result["results"].items() for c in cells.values() if c["reconciled"] is False]
    if failed:
        raise SystemExit(2)
    if any(c["exit"] != EXIT_OK for cells in result["results"].values() for c in cells.values()):
        raise SystemExit(3)
