"""Runs the selected rules against one vendor: freezes the simulator clock at T0, starts
every scenario side by side (each has its own citizens, so they cannot interfere), then
walks the clock scenarios' checkpoints in time order on one shared timeline - the clock
is global, so it moves only between checkpoints, never under a running scenario."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from conformance.catalog import RULES
from conformance.checks import scenarios
from conformance.scenario import SETTLE_SECONDS, Run, Scenario
from conformance.verdicts import ERROR, Verdict

PARALLEL = 6


@dataclasses.dataclass
class Progress:
    """Callbacks while a run goes on: ``total(n)`` rules once the plan is known,
    ``step(text)`` after each scenario step, ``rule(verdict)`` as soon as a rule's scenario
    has done its last step (its verdict cannot change after that), so a reader sees the
    run advance rule by rule."""

    total: Callable[[int], None] = lambda n: None
    step: Callable[[str], None] = lambda text: None
    rule: Callable[[Verdict], None] = lambda verdict: None


@dataclasses.dataclass
class Outcome:
    verdicts: list[Verdict]
    started: dt.datetime  # simulator time T0
    finished: dt.datetime  # simulator time at the end
    seconds: float

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and all(v.status == "pass" for v in self.verdicts)


def plan(rule_ids: list[str]) -> list[type[Scenario]]:
    """The scenarios that judge at least one selected rule."""
    return [s for s in scenarios() if set(s.rules) & set(rule_ids)]


class Runner:
    def __init__(self, run: Run, rule_ids: list[str], progress: Progress | None = None):
        self.run = run
        self.rule_ids = rule_ids
        self.progress = progress or Progress()
        self.errors: dict[str, str] = {}  # scenario name -> what went wrong
        self.seconds: dict[str, float] = {}
        self.remaining: dict[str, int] = {}  # scenario name -> steps still to run
        self.reported: set[str] = set()  # scenarios whose rules were reported to progress
        self._lock = threading.Lock()

    def _guarded(self, scenario: Scenario, what: str, fn: Callable[[], None]) -> None:
        if scenario.name in self.errors:
            self._finished_step(scenario)  # reports its rules if the error came from outside it
            return
        began = time.monotonic()
        try:
            fn()
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.errors[scenario.name] = f"{what}: {detail}"
        finally:
            self.seconds[scenario.name] = self.seconds.get(scenario.name, 0.0) + time.monotonic() - began
            self.progress.step(f"{scenario.name}: {what}")
            self._finished_step(scenario)

    def _finished_step(self, scenario: Scenario) -> None:
        """After a scenario's last step (or an error, which ends it), its rules are decided:
        report them, once."""
        with self._lock:
            self.remaining[scenario.name] -= 1
            decided = self.remaining[scenario.name] <= 0 or scenario.name in self.errors
            if not decided or scenario.name in self.reported:
                return
            self.reported.add(scenario.name)
        for rule_id in scenario.rules:
            if rule_id in self.rule_ids:
                self.progress.rule(self.verdict(scenario, rule_id))

    def _parallel(self, jobs: list[tuple[Scenario, str, Callable[[], None]]]) -> None:
        workers = PARALLEL if self.run.adapter.parallel else 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda job: self._guarded(*job), jobs))

    def execute(self) -> Outcome:
        began = time.monotonic()
        sim, adapter = self.run.sim, self.run.adapter
        adapter.info()
        self.run.t0 = sim.clock(freeze=True)
        adapter.move_clock(self.run.t0)
        chosen = [cls(self.run) for cls in plan(self.rule_ids)]
        self.progress.total(len({r for s in chosen for r in s.rules} & set(self.rule_ids)))
        for scenario in chosen:  # the start, and for a clock scenario its checkpoints (counted below)
            self.remaining[scenario.name] = 2 if scenario.clock else 1
        self._parallel([(s, "start", s.start) for s in chosen])
        timeline: dict[dt.datetime, list] = {}
        for scenario in (s for s in chosen if s.clock and s.name not in self.errors):
            points = scenario.checkpoints()
            self._finished_step_count(scenario, len(points))
            for instant, action in points:
                timeline.setdefault(instant, []).append((scenario, f"checkpoint {instant.isoformat()}", action))
        for instant in sorted(timeline):
            sim.clock(set=instant, freeze=True)
            adapter.move_clock(instant)
            if not adapter.settle(SETTLE_SECONDS):
                for scenario, _, _ in timeline[instant]:
                    self.errors.setdefault(
                        scenario.name,
                        f"the vendor did not report idle within {SETTLE_SECONDS} s "
                        f"after the clock moved to {instant.isoformat()}",
                    )
            self._parallel(timeline[instant])
        for scenario in chosen:
            scenario.cleanup()
        finished = sim.now()
        return Outcome(self.verdicts(chosen), self.run.t0, finished, time.monotonic() - began)

    def _finished_step_count(self, scenario: Scenario, checkpoints: int) -> None:
        """A clock scenario's start is done and its checkpoints are known: that many steps left."""
        with self._lock:
            self.remaining[scenario.name] = checkpoints + 1
        self._finished_step(scenario)

    def verdict(self, scenario: Scenario, rule_id: str) -> Verdict:
        judgement = scenario.judgements[rule_id]
        status, summary = judgement.verdict()
        if scenario.name in self.errors:
            status, summary = ERROR, f"The scenario {scenario.name} could not finish: {self.errors[scenario.name]}"
        rule = RULES[rule_id]
        return Verdict(
            rule_id,
            status,
            rule.title,
            rule.source,
            summary,
            judgement.findings,
            judgement.evidence,
            scenario.name,
            self.run.t0.isoformat() if self.run.t0 else None,
            self.seconds.get(scenario.name, 0.0),
        )

    def verdicts(self, chosen: list[Scenario]) -> list[Verdict]:
        found = {r: self.verdict(s, r) for s in chosen for r in s.judgements if r in self.rule_ids}
        return [found[r] for r in self.rule_ids if r in found]
