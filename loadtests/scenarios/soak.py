"""soak: the whole mix for a long time at about half capacity (issue 13, item 7).

Vendor integrations (vendor_traffic's mix: AddMessage, GetUserProfile,
GetPersonsForProfile 1-500, GetMessageStatus), citizens reading their inbox
(citizens_reading) and one tester watching the platform (traffic list, a bounded
traffic export, /metrics, health) run side by side. The vendors are paced, not flat out:
each sends ``KALLELSE_LOAD_RATE`` calls per second (``kallelse load run --rate``), so
the total is set to about half of what the machine can do (docs/loadtests.md, "Soak").

The verdict is the run's own: 0 failed requests, reconciliation (every AddMessage
answered OK/INFO stored exactly once, every opened thread Read), and the server's
resident memory flat (``max_rss_growth_mb`` in slo.toml: the median of the last tenth of
the run against the median of its second tenth, after warm-up).

Run: ``kallelse load run --scenario soak --users 13 --rate 2 --duration 30m --report out/soak``"""

from __future__ import annotations

import datetime as dt
import os

from locust import HttpUser, between, constant_throughput, task

from loadtests.scenarios import citizens_reading, vendor_traffic

RATE = float(os.environ.get("KALLELSE_LOAD_RATE") or 2)


class SoakVendor(vendor_traffic.VendorSystem):
    weight = 10
    wait_time = constant_throughput(RATE)


class SoakCitizen(citizens_reading.Citizen):
    fixed_count = 2


class Tester(HttpUser):
    """Someone at the control API while the traffic flows: what a trainer's or a CI
    pipeline's reads cost must not grow with the run."""

    fixed_count = 1
    wait_time = between(2, 5)

    @task(3)
    def traffic_page(self) -> None:
        self.client.get("/api/traffic?limit=50", name="/api/traffic?limit=50")

    @task(1)
    def recent_export(self) -> None:
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)).isoformat()
        self.client.get(
            "/api/traffic/export",
            params={"since": since, "contract": "GetUserProfile"},
            name="/api/traffic/export?since=-30s",
        )

    @task(2)
    def metrics(self) -> None:
        self.client.get("/metrics", name="/metrics")

    @task(1)
    def health(self) -> None:
        self.client.get("/api/health", name="/api/health")
