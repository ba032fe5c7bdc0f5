"""Prometheus exposition of the recorded traffic, through prometheus_client: requests and
faults per contract and consumer, and a latency histogram. The figures are derived from
the traffic store (kept rows plus the rollup of pruned ones) at every scrape by a custom
collector, so every gunicorn worker answers the same numbers without a shared metrics
directory or in-process counters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from simulator.platform.trafficstore import BUCKETS

FAULT_OUTCOMES = ("client_fault", "server_fault", "platform_fault")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class TrafficCollector(Collector):
    """One scrape's metrics from ``totals``: rows of the traffic store's ``totals()``."""

    def __init__(self, totals: list[dict]):
        self.totals = totals

    def collect(self) -> Iterator[Metric]:
        yield self._requests()
        yield self._faults()
        yield self._durations()

    def _requests(self) -> Metric:
        family = CounterMetricFamily(
            "kallelse_soap_requests",
            "SOAP calls through the platform by contract, consumer and outcome.",
            labels=("contract", "consumer", "outcome"),
        )
        for t in self.totals:
            family.add_metric((t["contract"], t["consumer"], t["outcome"]), t["count"])
        return family

    def _faults(self) -> Metric:
        family = CounterMetricFamily(
            "kallelse_soap_faults",
            "SOAP Faults answered, by contract, consumer and fault code (Client, Server or the VP code).",
            labels=("contract", "consumer", "code"),
        )
        faults: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        for t in self.totals:
            if t["outcome"] in FAULT_OUTCOMES:
                faults[(t["contract"], t["consumer"], t["fault_code"])] += t["count"]
        for labels, count in sorted(faults.items()):
            family.add_metric(labels, count)
        return family

    def _durations(self) -> Metric:
        family = HistogramMetricFamily(
            "kallelse_soap_request_duration_seconds",
            "Time from request read to answer, by contract and consumer.",
            labels=("contract", "consumer"),
        )
        buckets: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        counts: defaultdict[tuple[str, str], int] = defaultdict(int)
        sums: defaultdict[tuple[str, str], float] = defaultdict(float)
        for t in self.totals:
            key = (t["contract"], t["consumer"])
            buckets[key] = [a + b for a, b in zip(buckets[key], t["buckets"], strict=True)]
            counts[key] += t["count"]
            sums[key] += (t["latency_sum_ms"] or 0) / 1000
        for key in sorted(counts):
            cumulative = [(repr(bound), count) for bound, count in zip(BUCKETS, buckets[key], strict=True)]
            family.add_metric(key, cumulative + [("+Inf", counts[key])], sums[key])
        return family


def exposition(totals: list[dict]) -> bytes:
    """The Prometheus text format of ``totals`` (the store's cumulative bucket counts)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TrafficCollector(totals))
    return generate_latest(registry)
