"""CPU per GetPersonsForProfile call in-process, for the PU part of issue #12 (target: 500
identities in at most 20 ms of CPU): the whole application (WSGI call, platform,
recorder, commit) and the producer alone, for the same request bytes as ``kallelse load
bench`` sends (P3, the seeded population cycled), with the gunicorn worker's collector
tuning applied.

``.venv/bin/python -m loadtests.bench_pu [--profile 500]`` -- CPU time is what other
load on a shared machine moves least; ``--profile`` adds a cProfile of that many calls.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from collections.abc import Callable
from pathlib import Path

import rivta
from contracts.bundle import builtin_bundle
from loadtests.bench_micro import measure, simulator_app, wsgi_call
from loadtests.bench_operations import PU_ADDRESS
from simulator.soap import envelope as soap
from simulator.soap.endpoint import CONSUMER_HEADER, SoapCall
from simulator.storage.scope import request_scope

PATH = "/pu/GetPersonsForProfile/5/rivtabp21"


def request(population: list[str], count: int, profile: str = "P3") -> bytes:
    contract = builtin_bundle(None)["GetPersonsForProfile"]
    identities = (population * (count // len(population) + 1))[:count]
    return rivta.envelope(rivta.get_persons_for_profile(contract, identities, profile), PU_ADDRESS)


def steps(work: Path) -> dict:
    from simulator.server import tune_gc

    app, runtime, endpoints = simulator_app(work, None)
    population = sorted(c.personnummer for c in runtime.citizens.all())
    endpoint = endpoints[PATH]
    action = endpoint.contract.soap_action
    result: dict[str, Callable[[], object]] = {}
    for count in (10, 500):
        body = request(population, count)

        def whole(body=body, count=count):
            status, answer = wsgi_call(app, body, action, PATH)
            if not status.startswith("200") or answer.count(b"<requestedPersonRecord>") != count:
                raise RuntimeError(f"not a full answer: {status} {answer[:600]!r}")

        def producer(body=body):
            call = SoapCall(endpoint.contract, {CONSUMER_HEADER: "bench", "HTTP_SOAPACTION": action}, body)
            call.envelope = soap.parse_request(body)
            with request_scope():
                return endpoint.producer(call)

        result[f"app, {count} identities"] = whole
        result[f"producer, {count} identities"] = producer
    tune_gc()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", type=int, default=0, help="cProfile this many 500-identity app calls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kallelse-pu-") as folder:
        all_steps = steps(Path(folder))
        print(f"{'in-process step':<30}{'CPU ms':>10}{'wall ms':>10}")
        for name, step in all_steps.items():
            cpu, wall = measure(step, budget=2.0)
            print(f"{name:<30}{cpu / 1000:>10.2f}{wall / 1000:>10.2f}")
        if args.profile:
            step = all_steps["app, 500 identities"]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                step()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
