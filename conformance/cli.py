"""``kallelse conformance``: list the rule catalog, run the suite against a vendor
(through its adapter, or a human with --manual), judge recorded traffic. Exit code 0
only when every selected rule passed, so a CI pipeline can gate on it."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
import time
from pathlib import Path

import click

from conformance import catalog

DEFAULT_SIMULATOR = "http://127.0.0.1:8080"


@click.group("conformance")
def conformance() -> None:
    """Certify a kallelse system against the contract and guideline rules."""


@conformance.command("list")
def list_rules() -> None:
    """Print the rule catalog: ID, source and what each check observes."""
    for rule in catalog.RULES.values():
        how = "timeline" if rule.clock else "at once"
        how += ", also passive" if rule.passive else ""
        click.echo(f"{rule.id}  {rule.title}")
        click.echo(f"       source: {rule.source}   ({how})")
        click.echo(
            textwrap.fill(
                f"observes: {rule.observes}", width=100, initial_indent="       ", subsequent_indent="                 "
            )
        )


def _rules(rules: str | None, all_rules: bool) -> list[str]:
    if rules and all_rules:
        raise click.UsageError("give either --rules or --all")
    try:
        return catalog.select(None if all_rules else rules)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules") from None


class ProgressPrinter:
    """Verbose mode: a line per finished step and a progress bar (stderr)."""

    def __init__(self):
        self.bar = None
        self.began = time.monotonic()

    def total(self, count: int) -> None:
        """Called again when the timeline's checkpoints are known: the bar grows."""
        if self.bar is None:
            self.bar = click.progressbar(length=count, label="conformance", file=sys.stderr, show_pos=True)
        self.bar.length = count
        self.bar.render_progress()

    def step(self, text: str) -> None:
        click.echo(f"\n[{time.monotonic() - self.began:6.1f}s] {text}", err=True)
        if self.bar is not None:
            self.bar.update(1)


@conformance.command("run")
@click.option("--profile", type=click.Choice(["rjl", "vgr"]), help="Built-in regional rule profile.")
@click.option(
    "--profile-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A region's own profile (TOML, docs/conformance.md 'Profiles'); replaces --profile.",
)
@click.option("--adapter", "adapter_url", help="Base URL of the vendor adapter (see docs/conformance.md).")
@click.option("--simulator", default=DEFAULT_SIMULATOR, show_default=True, help="Simulator base URL.")
@click.option("--rules", help="Comma-separated rule IDs, e.g. CH-03,FB-01.")
@click.option("--all", "all_rules", is_flag=True, help="Every rule of the catalog (the default).")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for junit.xml, report.json and index.html.",
)
@click.option("--manual", is_flag=True, help="A tester performs each step in the vendor's UI and presses Enter.")
@click.option("--consumer", help="The vendor's HSA-id in the traffic [from the adapter's /health].")
@click.option("--vendor", help="Vendor name for the certificate [from /health].")
@click.option("--system-version", help="System version for the certificate [from /health].")
@click.option(
    "--grace",
    type=float,
    default=3.0,
    show_default=True,
    help="Seconds to wait for the vendor after each step when the adapter has no GET /idle.",
)
@click.option(
    "--wait", type=float, default=20.0, show_default=True, help="Seconds to wait for something the vendor should send."
)
@click.option("-v", "--verbose", is_flag=True, help="Stream progress.")
def run(
    profile,
    profile_file,
    adapter_url,
    simulator,
    rules,
    all_rules,
    report_dir,
    manual,
    consumer,
    vendor,
    system_version,
    grace,
    wait,
    verbose,
) -> None:
    """Run the selected rules against a vendor and write the reports."""
    from conformance.adapter import AdapterError, AdapterInfo, HttpAdapter, ManualAdapter
    from conformance.profiles import PROFILES, ProfileError, load
    from conformance.runner import Progress, Runner
    from conformance.scenario import Run
    from conformance.simulator_api import SimulatorApi, SimulatorError

    selected = _rules(rules, all_rules)
    if (profile is None) == (profile_file is None):
        raise click.UsageError("give exactly one of --profile NAME or --profile-file FILE")
    try:
        expectations = load(profile_file) if profile_file else PROFILES[profile]
    except ProfileError as exc:
        raise click.BadParameter(str(exc), param_hint="--profile-file") from None
    profile = expectations.key
    if manual:
        adapter = ManualAdapter(
            AdapterInfo(
                vendor=vendor or "unknown vendor",
                version=system_version or "unknown",
                sms="adapter",
                consumer_hsa_id=consumer or "",
            ),
            ask=lambda text: click.prompt(text, default="", show_default=False),
            say=click.echo,
        )
    elif adapter_url:
        adapter = HttpAdapter(adapter_url, grace_seconds=grace)
    else:
        raise click.UsageError("give --adapter URL (or --manual)")
    sim = SimulatorApi(simulator)
    try:
        sim.health()
        info = adapter.info()
    except (AdapterError, SimulatorError) as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    if profile not in info.profiles:
        raise click.ClickException(f"the adapter does not support profile {profile!r} (it offers {info.profiles})")
    printer = ProgressPrinter() if verbose else None
    progress = Progress(printer.total, printer.step) if printer else None
    context = Run(
        sim, adapter, expectations, consumer if consumer is not None else info.consumer_hsa_id, wait_seconds=wait
    )
    try:
        outcome = Runner(context, selected, progress).execute()
    except (AdapterError, SimulatorError) as exc:
        raise click.ClickException(f"the run stopped: {exc}") from None
    certificate = _certificate(
        info,
        vendor,
        system_version,
        profile,
        outcome.started,
        simulator,
        adapter_url or "(manual)",
        "manual" if manual else "automated",
    )
    _finish(report_dir, certificate, outcome.verdicts, outcome.seconds)


@conformance.command("check-traffic")
@click.option("--simulator", default=DEFAULT_SIMULATOR, show_default=True)
@click.option("--since", required=True, help="Window start, simulator time (ISO 8601; no offset = Swedish time).")
@click.option("--until", help="Window end [now].")
@click.option("--consumer", required=True, help="The vendor's HSA-id (x-rivta-original-serviceconsumer-hsaid).")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--vendor", default="unknown vendor")
@click.option("--system-version", default="unknown")
@click.option("--profile", type=click.Choice(["rjl", "vgr"]), default="rjl", show_default=True)
def check_traffic(simulator, since, until, consumer, report_dir, vendor, system_version, profile) -> None:
    """Judge what a vendor sent through the simulator in a window (passive, nothing is set up)."""
    from conformance.adapter import AdapterInfo
    from conformance.passive import judge_window
    from conformance.simulator_api import SimulatorApi, SimulatorError
    from simulator.clock import parse_instant

    try:
        start = parse_instant(since)
        end = parse_instant(until) if until else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from None
    began = time.monotonic()
    try:
        verdicts = judge_window(SimulatorApi(simulator), consumer, start, end)
    except SimulatorError as exc:
        raise click.ClickException(str(exc)) from None
    info = AdapterInfo(vendor=vendor, system=f"consumer {consumer}", version=system_version)
    certificate = _certificate(info, None, None, profile, start, simulator, "(none: recorded traffic)", "passive")
    _finish(report_dir, certificate, verdicts, time.monotonic() - began)


def _certificate(info, vendor, version, profile, started, simulator, adapter, mode):
    from conformance.profiles import PROFILES
    from conformance.report import Certificate

    return Certificate(
        vendor=vendor or info.vendor,
        system=info.system,
        version=version or info.version,
        profile=profile,
        profile_name=PROFILES[profile].name if profile in PROFILES else profile,
        date=dt.date.today().isoformat(),
        simulator_time=started.isoformat(),
        simulator=simulator,
        adapter=adapter,
        mode=mode,
    )


def _finish(report_dir: Path, certificate, verdicts, seconds: float) -> None:
    from conformance.report import write

    data = write(report_dir, certificate, verdicts, seconds)
    for verdict in verdicts:
        click.echo(f"{verdict.rule_id}  {verdict.status.upper():15} {verdict.summary}")
    summary = data["summary"]
    click.echo(
        f"{summary['pass']} passed, {summary['fail']} failed, {summary['not_applicable']} not applicable, "
        f"{summary['error']} errors in {seconds:.0f} s; reports in {report_dir}"
    )
    sys.exit(0 if summary["passed"] else 1)
