"""``kallelse load``: performance and load tooling (sends traffic to 127.0.0.1 only)."""

from __future__ import annotations

import click

from loadtests.bench_memory import memory
from loadtests.bench_micro import micro
from loadtests.bench_soap import bench
from loadtests.matrix import matrix
from loadtests.runner import run, worker


@click.group()
def load() -> None:
    """Benchmarks and load tests against a local simulator."""


load.add_command(bench)
load.add_command(micro)
load.add_command(memory)
load.add_command(run)
load.add_command(worker)
load.add_command(matrix)
