"""What the golden-answer suites share (tests/pu/golden.py, tests/soap/golden.py): one
SHA-256 per answer, the comparison with the recorded file, and the command line that
records it (``--write``) or dumps the answers to diff two implementations (``--dump``).
Each suite supplies its own ``answers(work, database_url)``: (name, bytes) pairs."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Answers = Callable[..., Iterator[tuple[str, bytes]]]


def digests(answers: Answers, work: Path, database_url: str | None = None) -> dict[str, str]:
    return {name: hashlib.sha256(body).hexdigest() for name, body in answers(work, database_url)}


def compare(found: dict[str, str], golden: Path) -> None:
    """Every recorded answer is still given, byte for byte."""
    expected = json.loads(golden.read_text())
    assert found.keys() == expected.keys()
    changed = sorted(name for name in found if found[name] != expected[name])
    assert not changed, f"{len(changed)} of {len(found)} answers changed, e.g. {changed[:5]}"


def main(answers: Answers, golden: Path, description: str) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--write", action="store_true", help=f"write the digests to {golden}")
    parser.add_argument("--dump", type=Path, help="write every answer into this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            for name, body in answers(Path(work)):
                (args.dump / f"{name}.xml").write_bytes(body)
            return
        found = digests(answers, Path(work))
    if args.write:
        golden.write_text(json.dumps(found, indent=0, sort_keys=True) + "\n")
    print(f"{len(found)} answers")


def application(work: Path, database_url: str | None, clock: str, extra: list) -> tuple[Any, Any, list[str]]:
    """(runtime, Flask test client, every personnummer) of an in-process simulator on a
    fresh SQLite file in ``work`` (or on ``database_url``), its clock frozen at ``clock``,
    the population seeded for that date plus ``extra`` citizens: the same answers on any
    day the suite runs."""
    from simulator.app import create_app
    from simulator.config import Config
    from simulator.population.seed import seed_population
    from simulator.server import prepare

    config = Config(data_dir=work, seed=False, database_url=database_url)
    runtime = prepare(config)
    client = create_app(config, migrate=False).test_client()
    got = client.post("/api/clock", json={"set": clock, "freeze": True})
    assert got.status_code == 200, got.text
    today = runtime.clock.local_now().date()
    assert today == dt.date.fromisoformat(clock[:10]), today
    runtime.citizens.replace_seeded(seed_population(today))
    runtime.citizens.save_many(extra)
    return runtime, client, sorted(c.personnummer for c in runtime.citizens.all())
