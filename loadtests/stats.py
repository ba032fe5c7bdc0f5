"""Locust's final statistics, read from ``--json-file`` (written at shutdown, after the
last request) rather than from the CSV, which locust rewrites once a second and so misses
the last second — all of a screening burst that finishes in under a second. Rows have the
CSV's column names, so the SLOs and reports read either. Percentiles are computed as
locust computes them (from its rounded response-time histogram), without importing locust
(which would monkey-patch this process's threads)."""

from __future__ import annotations

import collections
import csv
import json
from pathlib import Path

PERCENTILES = {
    "50%": 0.5,
    "66%": 0.66,
    "75%": 0.75,
    "80%": 0.8,
    "90%": 0.9,
    "95%": 0.95,
    "98%": 0.98,
    "99%": 0.99,
    "99.9%": 0.999,
    "100%": 1.0,
}


def percentile(histogram: dict[int, int], count: int, share: float) -> int:
    """locust's calculate_response_time_percentile."""
    wanted = int(count * share)
    processed = 0
    for value in sorted(histogram, reverse=True):
        processed += histogram[value]
        if count - processed <= wanted:
            return value
    return 0


def row(method: str, name: str, entries: list[dict], start: float, last: float) -> dict:
    """Requests/s over the whole run's window (first start to last request), as locust
    does, so that the rows add up to the aggregate."""
    histogram: collections.Counter = collections.Counter()
    for entry in entries:
        histogram.update({int(k): v for k, v in entry["response_times"].items()})
    count = sum(e["num_requests"] for e in entries)
    data = {
        "Type": method,
        "Name": name,
        "Request Count": count,
        "Failure Count": sum(e["num_failures"] for e in entries),
        "Average Response Time": sum(e["total_response_time"] for e in entries) / count if count else 0,
        "Requests/s": count / (last - start) if last > start else 0.0,
    }
    data.update({key: percentile(histogram, count, share) for key, share in PERCENTILES.items()})
    return data


def from_json(path: Path) -> list[dict]:
    entries = json.loads(path.read_text(encoding="utf-8"))
    if not entries:
        return []
    start = min(e["start_time"] for e in entries)
    last = max((e["last_request_timestamp"] or start) for e in entries)
    ordered = sorted(entries, key=lambda e: (e["name"], e["method"] or ""))
    return [row(e["method"] or "", e["name"], [e], start, last) for e in ordered] + [
        row("", "Aggregated", entries, start, last)
    ]


def from_csv(path: Path) -> list[dict]:
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for data in csv.DictReader(handle):
            for key, value in data.items():
                if key not in ("Type", "Name"):
                    try:
                        data[key] = float(value) if "." in value or key.endswith("/s") else int(value)
                    except (TypeError, ValueError):
                        data[key] = 0
            rows.append(data)
    return rows


def read(report_dir: Path) -> list[dict]:
    if (report_dir / "locust.json").exists():
        return from_json(report_dir / "locust.json")
    return from_csv(report_dir / "locust_stats.csv") if (report_dir / "locust_stats.csv").exists() else []
