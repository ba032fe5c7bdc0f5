"""``kallelse contracts``: list the contracts the simulator serves, and verify that our
authored contracts are wire-identical to an official bundle."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import click

from contracts import BUILTIN_DIR
from contracts.bundle import ContractBundle, builtin_bundle

EndpointPaths = Callable[[ContractBundle], dict[str, str]]

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group()
def contracts() -> None:
    """Service contracts (XSD + WSDL) the simulator serves and validates with."""


@contracts.command()
@click.option(
    "--official",
    required=True,
    type=_DIR,
    help="Folder of an official bundle (holding TD_INBOX_2_0/, TD_USERPROFILE_2_0/ ...).",
)
@click.option("--authored", type=_DIR, default=None, help=f"Folder of the authored contracts [{BUILTIN_DIR}].")
@click.option(
    "--documents",
    type=click.IntRange(min=0),
    default=500,
    show_default=True,
    help="Valid documents (and as many mutated ones) generated per interaction.",
)
@click.option("--seed", type=int, default=2014, show_default=True, help="Seed of the document generator.")
def verify(official: Path, authored: Path | None, documents: int, seed: int) -> None:
    """Compare the authored contracts with an official bundle: component models, a generated
    corpus validated by both, and the ^...$ pattern defect. Exits 1 on any difference."""
    from contracts.report import render
    from contracts.verify import compare

    # The report names the pattern correction itself; the loader's warning would repeat it.
    logging.getLogger("contracts.bundle").setLevel(logging.ERROR)
    report = compare(official, authored, documents=documents, seed=seed)
    click.echo(render(report))
    if not report.ok:
        raise SystemExit(1)


@contracts.command("list")
@click.option(
    "--contracts",
    "official",
    type=_DIR,
    default=None,
    help="Overlay an official bundle, as `kallelse serve --contracts` does.",
)
@click.pass_context
def list_contracts(ctx: click.Context, official: Path | None) -> None:
    """The interactions of the bundle: version, SOAPAction, request element, endpoint path."""
    bundle = builtin_bundle(official)
    # The endpoint paths are the simulator's business: ``kallelse`` hands in how to find them.
    endpoint_paths: EndpointPaths | None = (ctx.obj or {}).get("endpoint_paths")
    paths = endpoint_paths(bundle) if endpoint_paths else {}
    for contract in sorted(bundle.contracts.values(), key=lambda c: c.interaction):
        click.echo(f"{contract.interaction} {contract.major_version}")
        for label, value in (
            ("endpoint path", paths.get(contract.interaction, "(not served by the simulator)")),
            ("SOAPAction", contract.soap_action),
            ("request element", contract.request_element),
            ("WSDL", contract.wsdl_path),
        ):
            click.echo(f"    {label:<16} {value}")
    click.echo(f"\nbundle folders, first wins: {', '.join(str(d) for d in bundle.dirs)}")
