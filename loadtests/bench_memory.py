"""Memory is flat (issue #12): RSS of one process serving mixed SOAP calls in-process
after ``--first`` calls and after ``--total`` calls; the later figure must be within 10 %
of the earlier one (nothing that grows per request: no unbounded caches, no retained
request trees).

    kallelse load memory [--first 10000] [--total 100000]

The mix is what a vendor's care system sends: AddMessage, GetUserProfile,
GetPersonsForProfile (10 and 500 identities) and GetMessageStatus, through the whole
application (platform gate, producers, traffic recorder) on a fresh SQLite file. Exits 1
if RSS grew by more than 10 % or an answer was not a SOAP answer of its contract."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
import psutil

from loadtests import wire
from loadtests.bench_micro import simulator_app, wsgi_call
from simulator.citizen.client import Kallelse
from simulator.server import tune_gc

GROWTH_LIMIT = 0.10


def mixed_calls(personnummer: list[str]):
    """An endless mix, a new businessObjectId for every AddMessage."""
    for number in itertools.count(1):
        pnr = personnummer[number % len(personnummer)]
        kind = number % 10
        if kind < 5:
            kallelse = Kallelse(
                personnummer=pnr,
                msg="<article><para>Hej</para></article>",
                business_object_id=f"MEM-{number}",
                header="Kallelse",
            )
            yield wire.add_message(kallelse)
        elif kind < 7:
            yield wire.get_user_profile(pnr)
        elif kind < 8:
            yield wire.get_persons_for_profile(personnummer[:10])
        elif kind < 9:
            yield wire.get_message_status(pnr, f"MEM-{number - 4}")
        else:
            yield wire.get_persons_for_profile((personnummer * 500)[:500] if number % 100 == 99 else personnummer[:50])


def run(first: int, total: int, echo: Callable[[str], object] = print) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kallelse-memory-"))
    app, runtime, _ = simulator_app(work / "sim", None)
    tune_gc()  # as a gunicorn worker does after building its app
    personnummer = [c.personnummer for c in runtime.citizens.all()][:500]
    process = psutil.Process()
    figures: dict[int, int] = {}
    for count, request in enumerate(mixed_calls(personnummer), start=1):
        status, body = wsgi_call(app, request.body, request.headers["SOAPAction"].strip('"'), request.path)
        code = wire.result_code(int(status[:3]), body)
        if code not in ("OK", "INFO", "ERROR") and not (request.name == "GetPersonsForProfile" and status[:3] == "200"):
            raise click.ClickException(f"call {count} ({request.name}) answered {status}: {body[:300]!r}")
        if count in (first, total):
            figures[count] = process.memory_info().rss
            echo(f"RSS after {count:>7,} mixed calls: {figures[count] / 2**20:7.1f} MiB")
        if count >= total:
            break
    growth = figures[total] / figures[first] - 1
    echo(f"growth {growth:+.1%} (limit +{GROWTH_LIMIT:.0%})")
    return {"rss_first": figures[first], "rss_total": figures[total], "growth": growth}


@click.command("memory")
@click.option("--first", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--total", type=click.IntRange(min=2), default=100_000, show_default=True)
def memory(first: int, total: int) -> None:
    """RSS after --first and after --total mixed SOAP calls in one process (in-process)."""
    if total <= first:
        raise click.BadParameter("--total must be larger than --first")
    result = run(first, total, echo=click.echo)
    if result["growth"] > GROWTH_LIMIT:
        raise SystemExit(1)
