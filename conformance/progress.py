"""How a run shows that it advances, rule by rule: a rich progress bar on a terminal, plain
lines in a CI log (and nothing there unless -v), and a JSON file that another process reads
(the certification page of the simulator polls it; it never shares memory with a run)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from conformance.verdicts import Verdict

MARKS = {"pass": "✓", "fail": "✗", "not_applicable": "–", "error": "!"}


class Reporter:
    """Does nothing: the base of the reporters below, and a run nobody watches."""

    def total(self, count: int) -> None:
        pass

    def step(self, text: str) -> None:
        pass

    def rule(self, verdict: Verdict) -> None:
        pass

    def close(self) -> None:
        pass


class TerminalReporter(Reporter):
    """A progress bar (rich) on stderr, with one line per decided rule above it; with
    ``verbose`` also each scenario step."""

    def __init__(self, verbose: bool = False, console: Console | None = None):
        self.verbose = verbose
        self.bar = Progress(
            TextColumn("[bold]conformance[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task("starting", total=None)
        self.bar.start()

    def total(self, count: int) -> None:
        self.bar.update(self.task, total=count, description="")

    def step(self, text: str) -> None:
        if self.verbose:
            self.bar.console.log(text, markup=False, highlight=False)

    def rule(self, verdict: Verdict) -> None:
        self.bar.console.print(f"{MARKS[verdict.status]} {verdict.rule_id} {verdict.status}", highlight=False)
        self.bar.update(self.task, advance=1, description=verdict.rule_id)

    def close(self) -> None:
        self.bar.stop()


class PlainReporter(Reporter):
    """One line per decided rule (and with ``verbose`` per step), no control characters:
    what a CI log keeps readable."""

    def __init__(self, out: IO[str], verbose: bool = False):
        self.out = out
        self.verbose = verbose
        self.count = 0
        self.done = 0
        self.began = time.monotonic()
        self.lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self.lock:
            self.out.write(f"[{time.monotonic() - self.began:6.1f}s] {text}\n")
            self.out.flush()

    def total(self, count: int) -> None:
        self.count = count

    def step(self, text: str) -> None:
        if self.verbose:
            self._line(text)

    def rule(self, verdict: Verdict) -> None:
        self.done += 1
        self._line(f"{self.done}/{self.count} {verdict.rule_id} {verdict.status}")


class JsonReporter(Reporter):
    """The run's state in a JSON file, replaced atomically on every change, so a reader
    never sees half a file: state (running/finished/failed), rules decided so far, the
    last step, wall times, and at the end the exit code and the summary."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.state: dict = {
            "state": "running",
            "pid": os.getpid(),
            "started": _wall_now(),
            "updated": _wall_now(),
            "total": None,
            "done": 0,
            "rules": [],
            "last_step": "",
            "exit_code": None,
            "message": "",
        }
        self._write()

    def _write(self) -> None:
        self.state["updated"] = _wall_now()
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.state, ensure_ascii=False), "utf-8")
        os.replace(temporary, self.path)

    def total(self, count: int) -> None:
        with self.lock:
            self.state["total"] = count
            self._write()

    def step(self, text: str) -> None:
        with self.lock:
            self.state["last_step"] = text
            self._write()

    def rule(self, verdict: Verdict) -> None:
        with self.lock:
            self.state["rules"].append(
                {"rule_id": verdict.rule_id, "status": verdict.status, "summary": verdict.summary}
            )
            self.state["done"] = len(self.state["rules"])
            self._write()

    def finish(self, state: str, exit_code: int, message: str) -> None:
        """``finished``: every verdict is in the reports; ``failed``: the run stopped."""
        with self.lock:
            self.state.update(state=state, exit_code=exit_code, message=message)
            self._write()


class Fanout(Reporter):
    """Several reporters as one."""

    def __init__(self, reporters: list[Reporter]):
        self.reporters = reporters

    def total(self, count: int) -> None:
        for reporter in self.reporters:
            reporter.total(count)

    def step(self, text: str) -> None:
        for reporter in self.reporters:
            reporter.step(text)

    def rule(self, verdict: Verdict) -> None:
        for reporter in self.reporters:
            reporter.rule(verdict)

    def close(self) -> None:
        for reporter in self.reporters:
            reporter.close()


def _wall_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
