"""``kallelse conformance``: list the rule catalog, run the suite against a vendor
(through its adapter, or a human with --manual), judge recorded traffic. Exit code 0
only when every selected rule passed, so a CI pipeline can gate on it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import os
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


def _reporter(verbose: bool, manual: bool, watcher):
    """A bar on a terminal (not in manual mode, where the tester is prompted), plain lines
    with -v elsewhere (a CI log), the JSON file with --json-progress."""
    from conformance.progress import Fanout, PlainReporter, TerminalReporter

    reporters = [watcher] if watcher else []
    if sys.stderr.isatty() and not manual:
        reporters.append(TerminalReporter(verbose))
    elif verbose:
        reporters.append(PlainReporter(sys.stderr, verbose=True))
    return Fanout(reporters)


@conformance.command("run")
@click.option("--profile", type=click.Choice(["rjl", "vgr"]), help="Built-in regional rule profile.")
@click.option(
    "--profile-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A region's own profile (TOML, docs/conformance.md 'Profiles'); replaces --profile.",
)
@click.option("--adapter", "adapter_url", help="Base URL of the vendor adapter (see docs/conformance.md).")
@click.option("--simulator", default=DEFAULT_SIMULATOR, show_default=True, help="Simulator base URL.")
@click.option(
    "--token",
    envvar="KALLELSE_CONFORMANCE_TOKEN",
    help="The simulator's API token in shared mode (an admin's: the suite moves the shared clock).",
)
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
@click.option(
    "--signing-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ed25519 private key (PEM) that signs certificate.json [<data dir>/conformance-keys/, created if missing].",
)
@click.option(
    "--json-progress",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the run's progress in this JSON file (replaced atomically; for another process to read).",
)
@click.option("-v", "--verbose", is_flag=True, help="Stream each step (a CI log gets one line per rule).")
def run(json_progress: Path | None, **options) -> None:
    """Run the selected rules against a vendor and write the reports and the signed certificate."""
    from conformance.progress import JsonReporter

    watcher = JsonReporter(json_progress) if json_progress else None
    try:
        _run(watcher=watcher, **options)
    except click.ClickException as exc:
        if watcher:
            watcher.finish("failed", exc.exit_code, exc.format_message())
        raise
    except Exception as exc:
        if watcher:
            watcher.finish("failed", 1, f"{type(exc).__name__}: {exc}")
        raise


def _run(
    profile,
    profile_file,
    adapter_url,
    simulator,
    token,
    rules,
    all_rules,
    report_dir,
    manual,
    consumer,
    vendor,
    system_version,
    grace,
    wait,
    signing_key,
    verbose,
    watcher,
) -> None:
    from conformance.adapter import AdapterError, AdapterInfo, HttpAdapter, ManualAdapter
    from conformance.profiles import PROFILES, ProfileError, load
    from conformance.runner import Progress, Runner
    from conformance.scenario import Run
    from conformance.simulator_api import SimulatorApi, SimulatorError

    selected = _rules(rules, all_rules)
    key, key_path = _signing_key(signing_key)
    wall_started = _wall_now()
    if (profile is None) == (profile_file is None):
        raise click.UsageError("give exactly one of --profile NAME or --profile-file FILE")
    try:
        expectations = load(profile_file) if profile_file else PROFILES[profile]
    except ProfileError as exc:
        raise click.BadParameter(str(exc), param_hint="--profile-file") from None
    profile = expectations.key
    adapter: HttpAdapter | ManualAdapter
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
    sim = SimulatorApi(simulator, token)
    try:
        sim.health()
        info = adapter.info()
    except (AdapterError, SimulatorError) as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    if profile not in info.profiles:
        raise click.ClickException(f"the adapter does not support profile {profile!r} (it offers {info.profiles})")
    context = Run(
        sim, adapter, expectations, consumer if consumer is not None else info.consumer_hsa_id, wait_seconds=wait
    )
    reporter = _reporter(verbose, manual, watcher)
    try:
        outcome = Runner(context, selected, Progress(reporter.total, reporter.step, reporter.rule)).execute()
    except (AdapterError, SimulatorError) as exc:
        raise click.ClickException(f"the run stopped: {exc}") from None
    finally:
        reporter.close()
    certificate = _certificate(
        info,
        vendor,
        system_version,
        profile,
        outcome.started,
        simulator,
        adapter_url or "(manual)",
        "manual" if manual else "automated",
        finished=outcome.finished,
        wall_started=wall_started,
        expectations=expectations,
    )
    _finish(report_dir, certificate, outcome.verdicts, outcome.seconds, key, key_path, watcher)


@conformance.command("check-traffic")
@click.option("--simulator", default=DEFAULT_SIMULATOR, show_default=True)
@click.option("--token", envvar="KALLELSE_CONFORMANCE_TOKEN", help="The simulator's API token in shared mode.")
@click.option("--since", required=True, help="Window start, simulator time (ISO 8601; no offset = Swedish time).")
@click.option("--until", help="Window end [now].")
@click.option("--consumer", required=True, help="The vendor's HSA-id (x-rivta-original-serviceconsumer-hsaid).")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--vendor", default="unknown vendor")
@click.option("--system-version", default="unknown")
@click.option("--profile", type=click.Choice(["rjl", "vgr"]), default="rjl", show_default=True)
@click.option("--signing-key", type=click.Path(dir_okay=False, path_type=Path), help="As for run.")
def check_traffic(
    simulator, token, since, until, consumer, report_dir, vendor, system_version, profile, signing_key
) -> None:
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
        verdicts = judge_window(SimulatorApi(simulator, token), consumer, start, end)
    except SimulatorError as exc:
        raise click.ClickException(str(exc)) from None
    info = AdapterInfo(vendor=vendor, system=f"consumer {consumer}", version=system_version)
    certificate = _certificate(info, None, None, profile, start, simulator, "(none: recorded traffic)", "passive")
    _finish(report_dir, certificate, verdicts, time.monotonic() - began, *_signing_key(signing_key))


def _certificate(
    info,
    vendor,
    version,
    profile,
    started,
    simulator,
    adapter,
    mode,
    finished=None,
    wall_started=None,
    expectations=None,
):
    """``expectations``: the profile the run used (its name and the digest of the very file
    read, --profile-file included); without it the built-in profile named ``profile``."""
    from conformance.certificate import sha256_hex
    from conformance.profiles import PROFILES
    from conformance.report import Certificate

    wall_finished = _wall_now()
    return Certificate(
        vendor=vendor or info.vendor,
        system=info.system,
        version=version or info.version,
        profile=profile,
        profile_name=expectations.name if expectations else PROFILES[profile].name,
        date=wall_finished[:10],
        simulator_time=started.isoformat(),
        simulator=simulator,
        adapter=adapter,
        mode=mode,
        profile_sha256=(
            expectations.digest.removeprefix("sha256:") if expectations else sha256_hex(_profile_content(profile))
        ),
        suite_version=_suite_version(),
        simulator_finished=(finished or started).isoformat(),
        wall_started=wall_started or wall_finished,
        wall_finished=wall_finished,
        identity={k: getattr(info, k) for k in ("vendor", "system", "version", "consumer_hsa_id")},
    )


def _profile_content(profile: str) -> bytes:
    """The bytes the certificate's profile digest covers: the profile's TOML file when the
    suite ships one (regions/<key>.toml), else the canonical JSON of the
    built-in expectations. (Seam for --profile-file: digest the given file's bytes.)"""
    from conformance.certificate import canonical
    from conformance.profiles import BUILT_IN, PROFILES

    shipped = BUILT_IN / f"{profile}.toml"
    if shipped.is_file():
        return shipped.read_bytes()
    return canonical(dataclasses.asdict(PROFILES[profile]))


def _suite_version() -> str:
    try:
        return importlib.metadata.version("kallelse-testbed")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _wall_now() -> str:
    """Wall time (UTC) for the certificate: when the run really happened, beside the
    simulator times it covered."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def default_key_dir() -> Path:
    """Under the data dir (KALLELSE_DATA_DIR, as ``kallelse serve`` uses): one signing key
    per installation unless --signing-key names another."""
    return Path(os.environ.get("KALLELSE_DATA_DIR", "data")) / "conformance-keys"


def _signing_key(path: Path | None):
    """The private key and its path: the one given, else the default one, made on first use."""
    from conformance.certificate import PRIVATE_KEY_FILE, CertificateError, init_keys, load_private_key

    if path is None:
        path = default_key_dir() / PRIVATE_KEY_FILE
        if not path.exists():
            try:
                init_keys(path.parent)
                click.echo(f"created a signing key pair in {path.parent}", err=True)
            except CertificateError:
                pass  # another run made it at the same moment: use that one
    try:
        return load_private_key(path), path
    except CertificateError as exc:
        raise click.BadParameter(str(exc), param_hint="--signing-key") from None


def _finish(
    report_dir: Path, certificate, verdicts, seconds: float, key=None, key_path: Path | None = None, watcher=None
) -> None:
    from conformance.certificate import FILE_NAME, public_key_path
    from conformance.report import write

    command = ""
    if key_path is not None:
        command = (
            f"kallelse conformance verify {report_dir / FILE_NAME} "
            f"--public-key {public_key_path(key_path)} --evidence {report_dir}"
        )
    data = write(report_dir, certificate, verdicts, seconds, key, command)
    for verdict in verdicts:
        click.echo(f"{verdict.rule_id}  {verdict.status.upper():15} {verdict.summary}")
    summary = data["summary"]
    line = (
        f"{summary['pass']} passed, {summary['fail']} failed, {summary['not_applicable']} not applicable, "
        f"{summary['error']} errors in {seconds:.0f} s; reports in {report_dir}"
    )
    click.echo(line)
    code = 0 if summary["passed"] else 1
    if watcher:
        watcher.finish("finished", code, line)
    sys.exit(code)


@conformance.group("keys")
def keys() -> None:
    """The Ed25519 key pair that signs certificates."""


@keys.command("init")
@click.option(
    "--out",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the key pair [<data dir>/conformance-keys].",
)
@click.option("--force", is_flag=True, help="Replace an existing key pair.")
def keys_init(directory: Path | None, force: bool) -> None:
    """Create a signing key pair: private key PEM (mode 0600) and public key PEM."""
    from conformance.certificate import CertificateError, fingerprint, init_keys, load_public_key

    try:
        private, public = init_keys(directory or default_key_dir(), overwrite=force)
    except CertificateError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"private key: {private} (keep it secret)")
    click.echo(f"public key:  {public} (hand it to whoever verifies)")
    click.echo(f"fingerprint: {fingerprint(load_public_key(public))}")


@conformance.command("verify")
@click.argument("certificate_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--public-key", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The signer's public key PEM."
)
@click.option(
    "--evidence",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with the evidence files (report.json, junit.xml): their digests are checked too.",
)
def verify(certificate_file: Path, public_key: Path, evidence: Path | None) -> None:
    """Check a certificate offline: signature, key and (with --evidence) the evidence files.
    Exit code 0 only when everything matches."""
    from conformance.certificate import CertificateError, load_public_key
    from conformance.certificate import verify as check

    try:
        key = load_public_key(public_key)
    except CertificateError as exc:
        raise click.BadParameter(str(exc), param_hint="--public-key") from None
    result = check(certificate_file, key, evidence)
    for line in result.checked:
        click.echo(f"ok       {line}")
    for problem in result.problems:
        click.echo(f"MISMATCH {problem}", err=True)
    if not result.ok:
        click.echo(f"INVALID: {certificate_file} does not verify ({len(result.problems)} problem(s))", err=True)
        sys.exit(1)
    payload = result.payload or {}
    summary, vendor = payload.get("summary", {}), payload.get("vendor", {})
    click.echo(
        f"VALID: {vendor.get('name')} {vendor.get('system')} {vendor.get('version')}, "
        f"profile {payload.get('profile', {}).get('key')}, {summary.get('pass')} of {summary.get('total')} rules passed"
        + ("" if evidence else " (evidence files not checked: give --evidence DIR)")
    )
