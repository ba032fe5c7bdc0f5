"""Prometheus text exposition (format 0.0.4) of the recorded traffic: requests and
faults per contract and consumer, and a latency histogram. Computed from the traffic
store (kept rows plus the rollup of pruned ones), so every gunicorn worker answers the
same numbers without a shared metrics directory."""

from __future__ import annotations

from collections import defaultdict

from simulator.platform.trafficstore import BUCKETS

FAULT_OUTCOMES = ("client_fault", "server_fault", "platform_fault")


def _labels(**labels) -> str:
    def escape(value: str) -> str:
        return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in labels.items()) + "}"


def exposition(totals: list[dict]) -> str:
    lines = [
        "# HELP kallelse_soap_requests_total SOAP calls through the platform by contract, consumer and outcome.",
        "# TYPE kallelse_soap_requests_total counter",
    ]
    for t in totals:
        lines.append(
            f"kallelse_soap_requests_total{_labels(contract=t['contract'], consumer=t['consumer'], outcome=t['outcome'])} {t['count']}"
        )
    lines += [
        "# HELP kallelse_soap_faults_total SOAP Faults answered, by contract, consumer and fault code "
        "(Client, Server or the VP code).",
        "# TYPE kallelse_soap_faults_total counter",
    ]
    faults = defaultdict(int)
    for t in totals:
        if t["outcome"] in FAULT_OUTCOMES:
            faults[(t["contract"], t["consumer"], t["fault_code"])] += t["count"]
    for (contract, consumer, code), count in sorted(faults.items()):
        lines.append(f"kallelse_soap_faults_total{_labels(contract=contract, consumer=consumer, code=code)} {count}")
    lines += [
        "# HELP kallelse_soap_request_duration_seconds Time from request read to answer, by contract and consumer.",
        "# TYPE kallelse_soap_request_duration_seconds histogram",
    ]
    histograms = defaultdict(lambda: {"buckets": [0] * len(BUCKETS), "count": 0, "sum": 0.0})
    for t in totals:
        h = histograms[(t["contract"], t["consumer"])]
        h["buckets"] = [a + b for a, b in zip(h["buckets"], t["buckets"], strict=False)]
        h["count"] += t["count"]
        h["sum"] += t["latency_sum_ms"] / 1000
    for (contract, consumer), h in sorted(histograms.items()):
        name = "kallelse_soap_request_duration_seconds"
        for bound, count in zip(BUCKETS, h["buckets"], strict=False):
            lines.append(f"{name}_bucket{_labels(contract=contract, consumer=consumer, le=repr(bound))} {count}")
        lines.append(f"{name}_bucket{_labels(contract=contract, consumer=consumer, le='+Inf')} {h['count']}")
        lines.append(f"{name}_sum{_labels(contract=contract, consumer=consumer)} {h['sum']:.6f}")
        lines.append(f"{name}_count{_labels(contract=contract, consumer=consumer)} {h['count']}")
    return "\n".join(lines) + "\n"
