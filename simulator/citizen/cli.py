"""``kallelse demo``: the simulator with the seeded population and a few kallelser
already sent, for a trainer to run the whole story from a browser (see docs/citizen.md)."""

from __future__ import annotations

import subprocess
import sys

import click

from simulator.cli import _configure_logging, config_from, server_options


@click.command()
@server_options
def demo(**options) -> None:
    """Start the simulator with demo kallelser in different states; open http://HOST:PORT/."""
    from simulator.inbox.store import InboxStore
    from simulator.server import prepare, serve

    options["seed"] = True
    config = config_from(options)
    _configure_logging(config.log_level)
    runtime = prepare(config, seed=True)
    if InboxStore(runtime.db).count() == 0:
        # A separate process plays the story once the server answers: a thread in the
        # gunicorn master would be copied, mid-request, into every forked worker.
        subprocess.Popen([sys.executable, "-m", "simulator.citizen.demo", config.base_url])
    else:
        click.echo(
            "demo: the inbox already has messages; not sending the demo kallelser again "
            "(POST /api/reset, or start with an empty --data-dir, for a fresh story)"
        )
    click.echo(f"demo: start page {config.base_url}/")
    runtime.db.dispose()
    serve(config)
