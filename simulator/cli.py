"""The ``kallelse`` command. Sub-commands stay thin: they parse options and call into
the packages that own the work."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click

from contracts.bundle import ContractBundle
from simulator.auth.tokens import Role
from simulator.config import Config
from simulator.memory import limit_arenas


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
    from dispatchcore.cli import worker

    return worker


def _conformance() -> click.Command:
    from conformance.cli import conformance

    return conformance


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
    from dispatchcore import cli as dispatch_cli
    from simulator.server import serve as run_server

    config = config_from(options)
    _configure_logging(config.log_level)
    # the reference care system runs beside the simulator: its web part and its worker
    config.extra["parts"] = (dispatch_cli.SIMULATOR_PART,)
    limit_arenas()  # before gunicorn forks: the workers inherit it (simulator/memory.py)
    run_server(config, beside=(_care_system_token, dispatch_cli.start_beside))


def _care_system_token(config: Config) -> None:
    """Shared mode: the reference care system beside the simulator (its worker and its web
    part) reaches the control API as a vendor bound to its own consumer HSA-id. A fresh token
    at every start, in ``KALLELSE_API_TOKEN`` for the processes started after this (the
    previous start's is revoked); one set by hand is used as it is."""
    from dispatchcore import cli as dispatch_cli
    from simulator.auth.store import TokenStore
    from simulator.runtime import Runtime

    if not config.shared or os.environ.get(dispatch_cli.API_TOKEN_ENV):
        return None
    runtime = Runtime.build(config)
    try:
        name = "kallelse serve: embedded dispatch worker"
        secret = TokenStore(runtime.db).renew(Role.VENDOR, dispatch_cli.consumer_hsa_id(), name, runtime.clock.now())
    finally:
        runtime.db.dispose()
    os.environ[dispatch_cli.API_TOKEN_ENV] = secret
    return None


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
    from dispatchcore import cli as dispatch_cli

    config.extra["parts"] = (dispatch_cli.SIMULATOR_PART,)
    limit_arenas()  # before gunicorn forks: the workers inherit it (simulator/memory.py)
    run_server(config, beside=(_care_system_token, dispatch_cli.start_beside))


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


# --- kallelse tokens: shared mode's API tokens. The secret is printed once, at creation;
# the database keeps only its SHA-256. (Here, at the entry layer, so that the auth package
# never imports the CLI or the server.)

HSA_ID = re.compile(r"[A-Z]{2}[0-9]{10}-[A-Za-z0-9]{1,30}")


def _token_database_options(func):
    func = click.option("--database-url", default=None, help="SQLAlchemy URL (default: SQLite in --data-dir).")(func)
    return click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)(func)


def _token_store(options: dict):
    from simulator.auth.store import TokenStore
    from simulator.server import prepare

    runtime = prepare(config_from(options), seed=False)
    return TokenStore(runtime.db), runtime.clock


@main.group()
def tokens() -> None:
    """API tokens for shared mode (kallelse serve --shared)."""


@tokens.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--consumer", default=None, help="vendor only: the consumer HSA-id, e.g. SE2321000016-ABCD")
@click.option("--name", default=None, help="who holds it, e.g. 'Vendor X CI'")
@_token_database_options
def create(role: str, consumer: str | None, name: str | None, **options) -> None:
    """Create a token and print its secret (shown only now)."""
    if consumer is not None and not HSA_ID.fullmatch(consumer):
        raise click.BadParameter("must be an HSA-id such as SE2321000016-ABCD", param_hint="--consumer")
    store, clock = _token_store(options)
    try:
        token, secret = store.create(Role(role), consumer, name or f"{role} {consumer or ''}".strip(), clock.now())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"token {token.id} ({token.role}{', ' + consumer if consumer else ''}): {secret}")


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per token")
@_token_database_options
def list_tokens(as_json: bool, **options) -> None:
    """The tokens (never their secrets)."""
    store, _ = _token_store(options)
    for token in store.all():
        if as_json:
            click.echo(json.dumps({**token.__dict__, "role": token.role.value}))
        else:
            state = "revoked" if token.revoked else "active"
            click.echo(f"{token.id:>4}  {token.role:<7} {token.consumer or '-':<24} {state:<8} {token.name}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@_token_database_options
def revoke(token_id: int, **options) -> None:
    """Revoke a token: the next request with it answers 401."""
    store, clock = _token_store(options)
    if not store.revoke(token_id, clock.now()):
        raise click.ClickException(f"no active token {token_id}")
    click.echo(f"token {token_id} revoked")


if __name__ == "__main__":  # pragma: no cover
    main()
