"""What recording traffic costs on the hot path, in-process (a benchmark that prints
figures, not a test):

    .venv/bin/python -m tests.platform.bench_traffic

Rows: one TrafficStore.record (one INSERT + COMMIT of a real AddMessage exchange), the
same rows written 50 per transaction (what batching would buy), and the whole simulator
app with and without the platform's interceptors (gate + recorder)."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from loadtests import addmessage
from loadtests.bench_micro import _checked, _Counter, measure, simulator_app
from loadtests.loadgen import SEQ
from simulator.platform.gate import PlatformGate
from simulator.platform.recorder import TrafficRecorder
from simulator.platform.trafficstore import Exchange, TrafficStore, traffic

BATCH = 50


def exchange(runtime, body: bytes) -> Exchange:
    return Exchange(
        sim_time=runtime.clock.now(),
        real_time=runtime.clock.real_now(),
        contract="AddMessage",
        http_status=200,
        outcome="ok",
        verdict="valid",
        latency_ms=1.5,
        soap_action=addmessage.SOAP_ACTION,
        consumer=addmessage.CONSUMER,
        logical_address="5565594230",
        personnummer=("191212121212",),
        business_object_id="BO-1",
        route="builtin",
        request_body=body.decode(),
        response_body=body.decode(),
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kallelse-traffic-") as folder:
        app, runtime, _ = simulator_app(Path(folder) / "sim", None)
        template = addmessage.template(addmessage.reachable_personnummer(runtime.citizens.all()))
        store = TrafficStore(runtime.db)
        row = exchange(runtime, template)
        values = dataclasses.asdict(row) | {"personnummer": ",191212121212,", "rule_ids": ""}

        def batched():
            with runtime.db.begin() as conn:
                conn.execute(traffic.insert(), [values] * BATCH)

        platform = [i for i in runtime.interceptors if isinstance(i, (PlatformGate, TrafficRecorder))]
        figures = {"TrafficStore.record (1 INSERT)": measure(lambda: store.record(row))}
        cpu, wall = measure(batched)
        figures[f"batched, per row ({BATCH}/COMMIT)"] = (cpu / BATCH, wall / BATCH)
        figures["simulator app, with platform"] = measure(_checked(app, _Counter(template)))
        for interceptor in platform:
            runtime.interceptors.remove(interceptor)
        figures["simulator app, without platform"] = measure(_checked(app, _Counter(template.replace(SEQ, b"x" + SEQ))))
        print(f"{'step (SQLite, in-process)':<40}{'CPU µs':>10}{'wall µs':>10}")
        for name, (cpu, wall) in figures.items():
            print(f"{name:<40}{cpu:>10.1f}{wall:>10.1f}")


if __name__ == "__main__":
    main()
