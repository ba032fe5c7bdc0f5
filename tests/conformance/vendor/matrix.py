"""Runs the whole catalog against many vendor installations at once on ONE simulator:
every installation's scenarios start side by side at the same T0 (each scenario makes its
own citizens, each installation calls with its own consumer HSA-id), and the clock
scenarios' checkpoints of all installations are merged on one timeline - the simulator
clock is global, so it moves only between checkpoints, after every installation is idle.
This is the runner's model (conformance/runner.py) widened from one vendor to many."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from conformance.adapter import HttpAdapter
from conformance.checks import scenarios
from conformance.profiles import Expectations
from conformance.scenario import SETTLE_SECONDS, Run, Scenario
from conformance.simulator_api import SimulatorApi
from conformance.verdicts import ERROR

Action = tuple[str, Scenario, Callable[[], None]]


def run_many(
    simulator: str,
    adapters: dict[str, str],
    profiles: dict[str, Expectations],
    rules: list[str],
    parallel: int = 64,
    errors: dict[tuple[str, str], str] | None = None,
) -> dict[str, dict[str, str]]:
    """{installation: {rule: status}} for each named adapter URL and the profile it is judged on.
    ``errors``, if given, is filled with why each (installation, scenario) errored."""
    sim = SimulatorApi(simulator)
    runs = {}
    for name, url in adapters.items():
        adapter = HttpAdapter(url)
        runs[name] = Run(SimulatorApi(simulator), adapter, profiles[name], adapter.info().consumer_hsa_id)
        runs[name].wait_seconds = 8
    t0 = sim.clock(freeze=True)
    chosen = {}
    for name, run in runs.items():
        run.t0 = t0
        chosen[name] = [cls(run) for cls in scenarios() if set(cls.rules) & set(rules)]
    errors = {} if errors is None else errors

    def guarded(job: Action) -> None:
        name, scenario, fn = job
        if (name, scenario.name) in errors:
            return
        try:
            fn()
        except Exception as exc:
            errors[(name, scenario.name)] = "".join(traceback.format_exception_only(type(exc), exc)).strip()

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(guarded, [(n, s, s.start) for n, group in chosen.items() for s in group]))
        timeline: dict[dt.datetime, list[Action]] = {}
        for name, group in chosen.items():
            for scenario in group:
                if scenario.clock and (name, scenario.name) not in errors:
                    for instant, action in scenario.checkpoints():
                        timeline.setdefault(instant, []).append((name, scenario, action))
        for instant in sorted(timeline):
            sim.clock(set=instant, freeze=True)
            names = list(runs)
            idle = dict(zip(names, pool.map(lambda n: runs[n].adapter.settle(SETTLE_SECONDS * 5), names), strict=True))
            for name, scenario, _ in timeline[instant]:
                if not idle[name]:  # that installation's verdicts become errors, the others go on
                    errors.setdefault((name, scenario.name), f"not idle after the clock moved to {instant.isoformat()}")
            list(pool.map(guarded, timeline[instant]))
        list(pool.map(lambda scenario: scenario.cleanup(), [s for group in chosen.values() for s in group]))
    return {name: verdicts(name, group, rules, errors) for name, group in chosen.items()}


def verdicts(name: str, group: list[Scenario], rules: list[str], errors: dict) -> dict[str, str]:
    found = {}
    for scenario in group:
        for rule, judgement in scenario.judgements.items():
            if rule in rules:
                found[rule] = ERROR if (name, scenario.name) in errors else judgement.verdict()[0]
    return found


def failures(name: str, group_verdicts: dict[str, str]) -> set[str]:
    return {rule for rule, status in group_verdicts.items() if status in ("fail", ERROR)}
