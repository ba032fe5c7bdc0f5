"""The ``kallelse`` command. Sub-commands stay thin: they parse options and call into
the packages that own the work."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from simulator.config import Config


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


# Command groups owned by other packages, imported only when used: "name": "module:attr".
LAZY_COMMANDS = {
    "contracts": "contracts.cli:contracts",
    "demo": "simulator.citizen.cli:demo",
    "certs": "simulator.platform.cli:certs",
    "worker": "dispatchcore.cli:worker",
    "conformance": "conformance.cli:conformance",
    "load": "loadtests.cli:load",
}


class LazyGroup(click.Group):
    """Keeps ``kallelse --help`` fast and each package's CLI beside its code."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx, name):
        if name in LAZY_COMMANDS:
            import importlib

            module, _, attr = LAZY_COMMANDS[name].partition(":")
            try:
                return getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                reason = str(exc)

                @click.command(
                    name,
                    help=f"(not available: {reason})",
                    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
                )
                def unavailable():
                    raise click.ClickException(f"command {name!r} is not available: {reason}")

                return unavailable
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
@click.version_option(package_name="kallelse-testbed")
def main() -> None:
    """Kallelse Testbed: simulators for 1177 Inkorg, 1177 user profile and PU-tjänsten,
    a reference dispatch core, a conformance suite and load tests."""


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
    from dispatchcore import cli as dispatch_cli
    from simulator.server import serve as run_server

    config = config_from(options)
    _configure_logging(config.log_level)
    # the reference care system runs beside the simulator: its web part and its worker
    config.extra["parts"] = (dispatch_cli.SIMULATOR_PART,)
    run_server(config, beside=(dispatch_cli.start_beside,))


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


if __name__ == "__main__":  # pragma: no cover
    main()
