"""``kallelse tokens``: create, list and revoke the API tokens of shared mode. The secret
is printed once, at creation; the database keeps only its SHA-256."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from simulator.auth.tokens import Role

HSA_ID = re.compile(r"[A-Z]{2}[0-9]{10}-[A-Za-z0-9]{1,30}")


def _database_options(func):
    func = click.option("--database-url", default=None, help="SQLAlchemy URL (default: SQLite in --data-dir).")(func)
    return click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)(func)


def _store(options: dict):
    from simulator.auth.store import TokenStore
    from simulator.cli import config_from
    from simulator.server import prepare

    runtime = prepare(config_from(options), seed=False)
    return TokenStore(runtime.db), runtime.clock


@click.group()
def tokens() -> None:
    """API tokens for shared mode (kallelse serve --shared)."""


@tokens.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--consumer", default=None, help="vendor only: the consumer HSA-id, e.g. SE2321000016-ABCD")
@click.option("--name", default=None, help="who holds it, e.g. 'Vendor X CI'")
@_database_options
def create(role: str, consumer: str | None, name: str | None, **options) -> None:
    """Create a token and print its secret (shown only now)."""
    if consumer is not None and not HSA_ID.fullmatch(consumer):
        raise click.BadParameter("must be an HSA-id such as SE2321000016-ABCD", param_hint="--consumer")
    store, clock = _store(options)
    try:
        token, secret = store.create(Role(role), consumer, name or f"{role} {consumer or ''}".strip(), clock.now())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"token {token.id} ({token.role}{', ' + consumer if consumer else ''}): {secret}")


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per token")
@_database_options
def list_tokens(as_json: bool, **options) -> None:
    """The tokens (never their secrets)."""
    store, _ = _store(options)
    for token in store.all():
        if as_json:
            click.echo(json.dumps({**token.__dict__, "role": token.role.value}))
        else:
            state = "revoked" if token.revoked else "active"
            click.echo(f"{token.id:>4}  {token.role:<7} {token.consumer or '-':<24} {state:<8} {token.name}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@_database_options
def revoke(token_id: int, **options) -> None:
    """Revoke a token: the next request with it answers 401."""
    store, clock = _store(options)
    if not store.revoke(token_id, clock.now()):
        raise click.ClickException(f"no active token {token_id}")
    click.echo(f"token {token_id} revoked")
