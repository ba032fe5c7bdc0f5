"""Runs the selected rules against one vendor: freezes the simulator clock at T0, starts
every scenario side by side (each has its own citizens, so they cannot interfere), then
walks the clock scenarios' checkpoints in time order on one shared timeline - the clock
is global, so it moves only between checkpoints, never under a running scenario."""

from __future__ import annotations

import dataclasses
import datetime as dt
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
    """Callbacks for verbose mode: ``total`` steps, ``step(text)`` after each."""

    total: Callable[[int], None] = lambda n: None
    step: Callable[[str], None] = lambda text: None


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

    def _guarded(self, scenario: Scenario, what: str, fn: Callable[[], None]) -> None:
        if scenario.name in self.errors:
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
        self.progress.total(len(chosen))
        self._parallel([(s, "start", s.start) for s in chosen])
        timeline: dict[dt.datetime, list] = {}
        for scenario in (s for s in chosen if s.clock and s.name not in self.errors):
            for instant, action in scenario.checkpoints():
                timeline.setdefault(instant, []).append((scenario, f"checkpoint {instant.isoformat()}", action))
        self.progress.total(len(chosen) + sum(len(actions) for actions in timeline.values()))
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

    def verdicts(self, chosen: list[Scenario]) -> list[Verdict]:
        found: dict[str, Verdict] = {}
        for scenario in chosen:
            for rule_id, judgement in scenario.judgements.items():
                if rule_id not in self.rule_ids:
                    continue
                status, summary = judgement.verdict()
                if scenario.name in self.errors:
                    status, summary = (
                        ERROR,
                        f"The scenario {scenario.name} could not finish: {self.errors[scenario.name]}",
                    )
                rule = RULES[rule_id]
                found[rule_id] = Verdict(
                    rule_id,
                    status,
                    rule.title,
                    rule.source,
                    summary,
                    judgement.findings,
                    judgement.evidence,
                    scenario.name,
                    self.run.t0.isoformat(),
                    self.seconds.get(scenario.name, 0.0),
                )
        return [found[r] for r in self.rule_ids if r in found]
