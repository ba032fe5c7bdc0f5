"""Service-level objectives (loadtests/slo.toml) turned into verdicts on a run's figures.

A profile holds one table per scenario. Several scenarios in one run combine: the
loosest p99 and error rate, the sum of the minimum throughputs, every custom metric's
own limit."""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "slo.toml"
KEYS = {
    "p99_ms",
    "error_rate",
    "min_rps",
    "metrics",
    "min_bookings_per_s",
    "max_drain_s",
    "max_rss_growth_mb",
    "description",
}


# (slo.toml key, after-load or resource figure, what the verdict says): min_ a floor, max_ a ceiling
EXTRA_LIMITS = (
    ("min_bookings_per_s", "bookings_per_s", "bookings accepted/s"),
    ("max_drain_s", "drain_s", "time to drain (s)"),
    ("max_rss_growth_mb", "rss_growth_mb", "server memory growth after warm-up (MB)"),
)


class SloError(ValueError):
    pass


def load(profile: str, scenarios: list[str], path: Path | None = None) -> dict:
    data = tomllib.loads((path or DEFAULT_FILE).read_text(encoding="utf-8"))
    if profile not in data:
        raise SloError(f"no SLO profile {profile!r} in {path or DEFAULT_FILE} (has: {', '.join(data)})")
    combined: dict = {"metrics": {}}
    for name in scenarios:
        table = data[profile].get(name)
        if table is None:
            raise SloError(f"SLO profile {profile!r} has no table for scenario {name!r}")
        unknown = set(table) - KEYS
        if unknown:
            raise SloError(f"[{profile}.{name}]: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("p99_ms", "error_rate", "max_drain_s", "max_rss_growth_mb"):
            if key in table:
                combined[key] = max(combined.get(key, 0), table[key])
        for key in ("min_rps", "min_bookings_per_s"):
            if key in table:
                combined[key] = combined.get(key, 0) + table[key]
        combined["metrics"].update(table.get("metrics", {}))
    return combined


def _verdict(what: str, limit, actual, ok: bool) -> dict:
    return {"objective": what, "limit": limit, "actual": actual, "ok": ok}


def evaluate(slo: dict, stats: list[dict], extra: dict) -> list[dict]:
    """``stats``: locust's rows (Type, Name, counts, percentiles); ``extra``: the after-load
    figures (bookings_per_s, drain_s) and the server's resources (rss_growth_mb)."""
    load_rows = [
        r for r in stats if r["Name"] != "Aggregated" and not r["Name"].startswith("setup:") and r["Type"] != "E2E"
    ]
    verdicts = []
    if "p99_ms" in slo:
        for row in load_rows:
            verdicts.append(
                _verdict(
                    f"p99 {row['Type']} {row['Name']} (ms)", slo["p99_ms"], row["99%"], row["99%"] <= slo["p99_ms"]
                )
            )
    requests = sum(r["Request Count"] for r in load_rows)
    failures = sum(r["Failure Count"] for r in load_rows)
    if "error_rate" in slo:
        rate = failures / requests if requests else 0.0
        verdicts.append(_verdict("error rate", slo["error_rate"], round(rate, 5), rate <= slo["error_rate"]))
    if "min_rps" in slo:
        rps = round(sum(r["Requests/s"] for r in load_rows), 1)
        verdicts.append(_verdict("requests/s", slo["min_rps"], rps, rps >= slo["min_rps"]))
    for name, limits in slo.get("metrics", {}).items():
        measured = [r for r in stats if r["Name"] == name]
        if not measured:
            verdicts.append(_verdict(f"{name}: measured", "present", "absent", False))
            continue
        row = measured[0]
        if "p99_ms" in limits:
            verdicts.append(_verdict(f"p99 {name} (ms)", limits["p99_ms"], row["99%"], row["99%"] <= limits["p99_ms"]))
        if "min_count" in limits:
            verdicts.append(
                _verdict(
                    f"{name}: count",
                    limits["min_count"],
                    row["Request Count"],
                    row["Request Count"] >= limits["min_count"],
                )
            )
    for key, figure, what in EXTRA_LIMITS:
        if key in slo:
            actual, limit = extra.get(figure), slo[key]
            within = actual is not None and (actual >= limit if key.startswith("min_") else actual <= limit)
            verdicts.append(_verdict(what, limit, actual, within))
    return verdicts
