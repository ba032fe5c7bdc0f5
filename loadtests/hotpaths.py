"""Where a request's time goes: the simulator built in-process (exactly as a gunicorn
worker builds it, on its own SQLite file), each interaction of the load scenarios called
a few hundred times through WSGI under pyinstrument, and for each the wall and CPU
milliseconds per call and the functions with the most time of their own.

    python -m loadtests.hotpaths [--calls 200] [--top 12] [--database-url URL]

In-process means no HTTP and no second process: what is left is the application's own
cost, and wall minus CPU is time spent waiting (on the database, mostly)."""

from __future__ import annotations

import collections
import itertools
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from loadtests import wire
from simulator.citizen.client import Kallelse
from simulator.citizen.demo import kallelse_msg


def build(data_dir: Path, database_url: str | None):
    from simulator.app import create_app
    from simulator.config import Config
    from simulator.server import prepare

    config = Config(data_dir=data_dir, database_url=database_url, seed=True)
    runtime = prepare(config)
    citizens = sorted(runtime.citizens.all(), key=lambda c: c.personnummer)
    reachable = next(
        c.personnummer
        for c in citizens
        if c.account.exists and c.account.active and not c.deceased and not c.is_protected
    )
    return create_app(config, migrate=False), reachable, [c.personnummer for c in citizens]


def calls(pnr: str, population: list[str]):
    """name -> a function returning (path, body, headers) for call number n."""
    import datetime as dt

    visit = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)

    def add_message(n):
        return wire.add_message(
            Kallelse(
                personnummer=pnr,
                business_object_id=f"HP-{n}",
                header="Kallelse",
                msg=kallelse_msg("Kallelse till arbetsprov", visit, "Arbetsprov"),
            )
        )

    return {
        "AddMessage": add_message,
        "GetUserProfile": lambda n: wire.get_user_profile(pnr),
        "GetPersonsForProfile (10 ids)": lambda n: wire.get_persons_for_profile(population[:10]),
        "GetPersonsForProfile (500 ids)": lambda n: wire.get_persons_for_profile(
            list(itertools.islice(itertools.cycle(population), 500))
        ),
        "GetMessageStatus": lambda n: wire.get_message_status(pnr, f"HP-{n % 50}"),
    }


def own_time(session) -> list[tuple[str, float]]:
    """(function, seconds of its own) over the whole profile, most first. pyinstrument
    keeps a function's own time in a synthetic ``[self]`` child: it counts for the parent."""
    totals: collections.Counter[str] = collections.Counter()
    stack: list[tuple[Any, str]] = [(session.root_frame(), "?")]
    while stack:
        frame, parent = stack.pop()
        if frame is None:
            continue
        synthetic = frame.function.startswith("[")
        label = parent if synthetic else f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        totals[label] += frame.time - sum(child.time for child in frame.children)
        stack.extend((child, label) for child in frame.children)
    return [(label, float(seconds)) for label, seconds in totals.most_common()]


def inclusive_time(session, prefix: str = "simulator/") -> list[tuple[str, float]]:
    """(our function, seconds inside it, callees included), most first: which step of
    the request (gate, producer, store, recorder) the time belongs to."""
    totals: collections.Counter[str] = collections.Counter()
    stack: list[tuple[Any, frozenset[str]]] = [(session.root_frame(), frozenset())]
    while stack:
        frame, open_labels = stack.pop()
        if frame is None:
            continue
        label = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        if (frame.file_path_short or "").startswith(prefix) and label not in open_labels:
            totals[label] += frame.time
            open_labels = open_labels | {label}
        stack.extend((child, open_labels) for child in frame.children)
    return [(label, float(seconds)) for label, seconds in totals.most_common()]


def profile(client, make, count: int):
    from pyinstrument import Profiler

    for n in range(20):  # warm-up: caches, compiled statements, the clock memo
        request = make(10_000 + n)
        client.post(request.path, data=request.body, headers=request.headers)
    requests = [make(n) for n in range(count)]
    profiler = Profiler(interval=0.0002)
    wall, cpu = time.perf_counter(), time.process_time()
    profiler.start()
    for request in requests:
        answer = client.post(request.path, data=request.body, headers=request.headers)
        assert answer.status_code == 200, answer.data[:500]
    profiler.stop()
    return (
        (time.perf_counter() - wall) / count * 1000,
        (time.process_time() - cpu) / count * 1000,
        own_time(profiler.last_session),
        inclusive_time(profiler.last_session),
    )


@click.command()
@click.option("--calls", "count", type=int, default=200, show_default=True)
@click.option("--top", type=int, default=12, show_default=True)
@click.option("--database-url", default=None, help="PostgreSQL instead of a fresh SQLite file.")
def main(count: int, top: int, database_url: str | None) -> None:
    from werkzeug.test import Client

    folder = Path(tempfile.mkdtemp(prefix="kallelse-hotpaths-"))
    try:
        app, pnr, population = build(folder, database_url)
        client = Client(app)
        for name, make in calls(pnr, population).items():
            wall, cpu, functions, ours = profile(client, make, count)
            click.echo(f"\n## {name}: {wall:.2f} ms wall, {cpu:.2f} ms CPU per call ({count} calls)\n")
            total = sum(seconds for _, seconds in functions) or 1
            click.echo("  simulator functions, callees included:")
            for function, seconds in ours[:top]:
                click.echo(f"  {100 * seconds / total:5.1f} %  {function}")
            click.echo("  functions by their own time:")
            for function, seconds in functions[:top]:
                click.echo(f"  {100 * seconds / total:5.1f} %  {function}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
