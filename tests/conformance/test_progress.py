"""Progress, rule by rule: a rich bar on a terminal, plain lines without control characters
in a CI log, and a JSON file another process can read at any moment."""

from __future__ import annotations

import io
import json
import threading

from rich.console import Console

from conformance.progress import Fanout, JsonReporter, PlainReporter, TerminalReporter
from conformance.verdicts import Verdict

VERDICTS = [Verdict("CH-01", "pass", summary="ok"), Verdict("FB-01", "fail", summary="Expected paper; saw none.")]


def feed(reporter) -> None:
    reporter.total(len(VERDICTS))
    reporter.step("OptedOutReachable: start")
    for verdict in VERDICTS:
        reporter.rule(verdict)
    reporter.close()


def test_a_terminal_gets_a_bar_and_a_line_per_rule():
    out = io.StringIO()
    feed(TerminalReporter(console=Console(file=out, force_terminal=True, width=100)))
    text = out.getvalue()
    assert "\x1b[" in text and "2/2" in text  # drawn with control sequences, counts rules
    assert "✓ CH-01 pass" in text and "✗ FB-01 fail" in text
    assert "OptedOutReachable" not in text  # steps only with -v


def test_a_ci_log_gets_plain_lines_per_rule_and_steps_only_when_verbose():
    quiet, verbose = io.StringIO(), io.StringIO()
    feed(PlainReporter(quiet))
    feed(PlainReporter(verbose, verbose=True))
    assert "\x1b" not in quiet.getvalue() + verbose.getvalue()
    lines = quiet.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].endswith("1/2 CH-01 pass") and lines[1].endswith("2/2 FB-01 fail")
    assert "OptedOutReachable: start" in verbose.getvalue()


def test_the_json_file_is_whole_whenever_it_is_read(tmp_path):
    path = tmp_path / "progress.json"
    reporter = JsonReporter(path)
    seen: list[dict] = []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            seen.append(json.loads(path.read_text("utf-8")))  # never a half-written file

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(50):
        feed(Fanout([reporter]))
    stop.set()
    reader.join()
    reporter.finish("finished", 1, "1 passed, 1 failed")
    final = json.loads(path.read_text("utf-8"))
    assert seen and final["state"] == "finished" and final["exit_code"] == 1
    assert final["total"] == 2 and final["rules"][:2] == [
        {"rule_id": "CH-01", "status": "pass", "summary": "ok"},
        {"rule_id": "FB-01", "status": "fail", "summary": "Expected paper; saw none."},
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"]  # no temporary left behind


def test_the_shared_silence_deadline_ends_waits_only_when_nothing_was_heard():
    from conformance.silence import Silence

    asked: list[int] = []
    silent = Silence(lambda: asked.append(1) or False)
    assert not silent.expired()  # not armed: no wait has started
    silent.arm(0)
    silent.arm(3600)  # a later wait keeps the first deadline
    assert silent.expired() and silent.expired() and len(asked) == 1  # the simulator is asked at most every 2 s
    alive = Silence(lambda: True)
    alive.arm(0)
    assert not alive.expired()  # traffic from the vendor was recorded
    answered = Silence(lambda: False)
    answered.arm(0)
    answered.arrived()  # an expectation was met
    assert not answered.expired()
