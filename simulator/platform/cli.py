"""``kallelse certs``: throw-away certificates for ``kallelse serve --tls``."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.clock import Clock

DEFAULT_DIR = Path("data") / "certs"


def _real_now():
    """Certificates are checked against wall-clock time by every TLS stack, never
    against the simulated clock."""
    return Clock(lambda: None).real_now()


@click.group()
def certs() -> None:
    """Test CA, server and consumer certificates for mutual TLS (test use only)."""


@certs.command("init")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    help="Folder to write; kallelse serve --tls reads <data-dir>/certs by default.",
)
@click.option(
    "--consumer",
    "consumers",
    multiple=True,
    metavar="HSA-ID",
    help="Client certificate for this consumer HSA-id (repeatable).",
)
@click.option(
    "--host",
    "hosts",
    multiple=True,
    metavar="NAME",
    help="Server certificate name (repeatable) [localhost, 127.0.0.1].",
)
@click.option("--force", is_flag=True, help="Replace an existing CA in the folder.")
def init(folder: Path, consumers: tuple[str, ...], hosts: tuple[str, ...], force: bool) -> None:
    """Create a test CA, a server certificate and client certificates."""
    from simulator.platform.certs import ThrowawayCA

    if (folder / "ca.pem").exists() and not force:
        raise click.ClickException(
            f"{folder / 'ca.pem'} exists: use --force to replace it, or `kallelse certs consumer` to add consumers"
        )
    now = _real_now()
    ca = ThrowawayCA.create(folder, now)
    ca.server(now, tuple(hosts) or ("localhost", "127.0.0.1"))
    click.echo(f"test CA and server certificate in {folder}")
    _consumers(ca, consumers, now)


@certs.command("consumer")
@click.argument("hsa_ids", nargs=-1, required=True, metavar="HSA-ID...")
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIR, show_default=True
)
def consumer(hsa_ids: tuple[str, ...], folder: Path) -> None:
    """Add client certificates, signed by the CA in --dir."""
    from simulator.platform.certs import ThrowawayCA

    if not (folder / "ca.pem").exists():
        raise click.ClickException(f"no test CA in {folder}: run `kallelse certs init --dir {folder}` first")
    _consumers(ThrowawayCA.load(folder), hsa_ids, _real_now())


def _consumers(ca, hsa_ids, now) -> None:
    for hsa_id in hsa_ids:
        try:
            path = ca.consumer(hsa_id, now)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="HSA-ID") from None
        click.echo(f"consumer {hsa_id}: {path} (+ -key.pem, .p12 password changeit)")
