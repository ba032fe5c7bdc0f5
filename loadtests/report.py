"""A load run's report: summary.json (everything, for scripts) and summary.md (the
tables a person reads), beside locust's own CSV and HTML."""

from __future__ import annotations

import json
from pathlib import Path

EXIT_WORDS = {0: "PASS", 1: "FAIL: SLO not met", 2: "FAIL: lost or duplicated data", 3: "ERROR: the run failed"}


def machine() -> dict:
    from loadtests.bench_soap import machine as bench_machine  # one description of the machine for all figures

    return bench_machine()


def request_table(stats: list[dict]) -> list[str]:
    lines = [
        "| type | name | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        name = "**all**" if row["Name"] == "Aggregated" else row["Name"].replace("|", "\\|")
        lines.append(
            f"| {row['Type']} | {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['Requests/s']:.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    return lines


def markdown(result: dict) -> str:
    lines = [
        f"# Load run {result['run_id']}: {', '.join(result['scenarios'])} — "
        f"{EXIT_WORDS.get(result.get('exit', -1), result.get('exit'))}",
        "",
    ]
    machine_info = result.get("machine", {})
    lines.append(
        f"{result['started']}, {machine_info.get('cpu', '')} ({machine_info.get('cores')} cores), "
        f"target {result.get('target', '-')}, options: "
        + ", ".join(
            f"{k}={v}" for k, v in result["options"].items() if v not in ("None", "") and k not in ("report", "run_id")
        )
    )
    if result.get("error"):
        lines += ["", f"**Error:** {result['error']}"]
    if result.get("stats"):
        lines += ["", "## Requests", ""] + request_table(result["stats"])
    if result.get("after"):
        lines += ["", "## After the load", ""] + [f"- {k}: {v}" for k, v in result["after"].items()]
    if result.get("resources"):
        r = result["resources"]
        lines += [
            "",
            "## Server processes",
            "",
            f"CPU {r['cpu_seconds']} s ({r['cpu_percent']} % of one core on average), peak memory "
            f"{r['peak_rss_mb']} MB over {r['processes']} processes, {r['seconds']} s",
        ]
    if result.get("slo"):
        lines += ["", "## SLOs", "", "| objective | limit | actual | |", "|---|---:|---:|---|"]
        lines += [
            f"| {v['objective']} | {v['limit']} | {v['actual']} | {'ok' if v['ok'] else '**FAIL**'} |"
            for v in result["slo"]
        ]
    if result.get("reconciliation"):
        lines += ["", "## Reconciliation", ""]
        for check in result["reconciliation"]["checks"]:
            extra = {k: v for k, v in check.items() if k not in ("name", "ok", "checked", "problems", "first_problems")}
            lines.append(
                f"- {'ok' if check['ok'] else '**FAIL**'} {check['name']}: {check['checked']} checked, "
                f"{check['problems']} problems" + (f" {extra}" if extra else "")
            )
            lines += [f"  - {p}" for p in check["first_problems"][:5]]
    return "\n".join(lines) + "\n"


def write(folder: Path, result: dict) -> None:
    (folder / "summary.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    (folder / "summary.md").write_text(markdown(result), encoding="utf-8")
