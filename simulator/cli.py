"""The ``kallelse`` command. Sub-commands stay thin: they parse options and call into
the packages that own the work."""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click

from contracts.bundle import ContractBundle
from simulator.config import Config


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def _contracts() -> click.Command:
    from contracts.cli import contracts

    return contracts


def _certs() -> click.Command:
    from simulator.platform.cli import certs

    return certs


def _worker() -> click.Command:
    from simulator.dispatch.cli import worker

    return worker


def _conformance() -> click.Command:
    from conformance.cli import conformance

    return conformance


def _tokens() -> click.Command:
    from simulator.auth.cli import tokens

    return tokens


def _load() -> click.Command:
    from loadtests.cli import load

    return load


# Command groups owned by other packages, imported (by these functions) only when used, so
# that ``kallelse --help`` stays fast and each package's CLI stays beside its code. An import
# error is a bug and shows as one; only an optional extra that is not installed turns into
# a command that says how to install it.
SUBCOMMANDS: dict[str, Callable[[], click.Command]] = {
    "contracts": _contracts,
    "certs": _certs,
    "worker": _worker,
    "conformance": _conformance,
    "tokens": _tokens,
    "load": _load,
}
EXTRAS = {"load": ("load", ("locust",))}  # command: (extra, packages it needs)


def _missing_extra(name: str) -> click.Command | None:
    extra, packages = EXTRAS.get(name, ("", ()))
    missing = [package for package in packages if importlib.util.find_spec(package) is None]
    if not missing:
        return None
    reason = f"needs the [{extra}] extra: pip install 'kallelse-testbed[{extra}]' (missing: {', '.join(missing)})"

    @click.command(
        name,
        help=f"(not installed: {reason})",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    def unavailable() -> None:
        raise click.ClickException(f"command {name!r} {reason}")

    return unavailable


class SubcommandGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(SUBCOMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in SUBCOMMANDS:
            return _missing_extra(name) or SUBCOMMANDS[name]()
        return super().get_command(ctx, name)


def _endpoint_paths(bundle: ContractBundle) -> dict[str, str]:
    from simulator.app import endpoint_paths

    return endpoint_paths(bundle)


@click.group(cls=SubcommandGroup)
@click.version_option(package_name="kallelse-testbed")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Kallelse Testbed: simulators for 1177 Inkorg, 1177 user profile and PU-tjänsten,
    a reference dispatch core, a conformance suite and load tests."""
    # `kallelse contracts list` shows where the simulator serves each contract; the
    # contracts package itself knows nothing of the simulator.
    ctx.obj = {"endpoint_paths": _endpoint_paths}


def server_options(func):
    options = [
        click.option("--host", default=None, help="Interface to listen on [127.0.0.1]."),
        click.option("--port", type=int, default=None, help="TCP port [8080]."),
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Folder for the embedded SQLite database [./data].",
        ),
        click.option(
            "--database-url",
            default=None,
            help="SQLAlchemy URL, e.g. postgresql+psycopg://127.0.0.1/test (default: SQLite in --data-dir).",
        ),
        click.option("--seed/--no-seed", default=None, help="Load the seeded test population at start."),
        click.option(
            "--contracts",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            default=None,
            help="Serve an official contract bundle instead of the built-in contracts.",
        ),
        click.option("--workers", type=int, default=None, help="gunicorn worker processes [2]."),
        click.option("--log-level", default=None, type=click.Choice(["debug", "info", "warning", "error"])),
        click.option(
            "--routing",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help="NTjP-like routing/authorization file (TOML, docs/platform.md) [env KALLELSE_ROUTING].",
        ),
        click.option(
            "--tls/--no-tls",
            default=None,
            help="Mutual TLS: require client certificates (kallelse certs init) [env KALLELSE_TLS].",
        ),
        click.option(
            "--tls-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Certificates for --tls [<data-dir>/certs].",
        ),
        click.option(
            "--shared/--no-shared",
            default=None,
            help="Shared mode: API tokens with roles (kallelse tokens) [env KALLELSE_SHARED].",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def config_from(options: dict) -> Config:
    return Config.from_env(**{k: v for k, v in options.items() if v is not None})


@main.command()
@server_options
def serve(**options) -> None:
    """Start the simulator (SOAP endpoints, control API, citizen pages)."""
    from simulator.server import serve as run_server

    config = config_from(options)
    _configure_logging(config.log_level)
    run_server(config)


@main.command()
@server_options
def demo(**options) -> None:
    """Start the simulator with demo kallelser in different states; open http://HOST:PORT/
    (the seeded population and a few kallelser already sent, for a trainer to run the whole
    story from a browser: docs/citizen.md)."""
    from simulator.inbox.store import InboxStore
    from simulator.server import prepare
    from simulator.server import serve as run_server

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
    run_server(config)


@main.group()
def persons() -> None:
    """The test population."""


@persons.command("seed")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--database-url", default=None)
def persons_seed(**options) -> None:
    """Load (or reload) the deterministic seeded population."""
    from simulator.server import prepare

    config = config_from(options)
    _configure_logging(config.log_level)
    runtime = prepare(config, seed=True)
    click.echo(f"seeded {len([c for c in runtime.citizens.all() if c.seeded])} citizens into {runtime.db}")


@persons.command("list")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--database-url", default=None)
def persons_list(**options) -> None:
    """Print the named demo persons of the population (as of the simulator clock's date)."""
    from simulator.population.seed import demo_persons
    from simulator.server import prepare

    runtime = prepare(config_from(options), seed=False)
    for citizen in demo_persons(runtime.clock.local_now().date()):
        click.echo(f"{citizen.personnummer}  {citizen.display_name:<28} {citizen.label}")


@main.group()
def clock() -> None:
    """The shared simulator clock, offline (the server may be stopped)."""


@clock.command("reset")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--database-url", default=None)
def clock_reset(**options) -> None:
    """Put the clock back on real time (speed 1, not frozen), audited as actor "cli":
    the way out of any clock state, even one a server cannot start with."""
    from simulator.server import prepare

    runtime = prepare(config_from(options), seed=False)
    try:
        state = runtime.clock_store.command({"reset": True}, actor="cli")
        click.echo(f"clock reset to real time: {state.as_dict(runtime.clock.real_now())['now']} ({runtime.db})")
    finally:
        runtime.db.dispose()


if __name__ == "__main__":  # pragma: no cover
    main()
