"""The runs started from the browser, kept as folders under ``<data dir>/certification/``:
``request.json`` (what was asked), ``progress.json`` (written by the suite process,
replaced atomically), ``run.log`` (its output), ``pid`` and ``report/`` (index.html,
report.json, junit.xml, certificate.json). Files, not a table: every gunicorn worker sees
the same runs, the suite process needs no database access, and the history is what a
vendor downloads anyway."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import os
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from conformance import certificate
from conformance.rest import TOKEN_ENV
from simulator.certification.form import UPLOAD, Request

RUN_ID = re.compile(r"^[0-9a-f]{16}$")
DOWNLOADS = {
    "index.html": "text/html; charset=utf-8",
    "certificate.json": "application/json",
    "report.json": "application/json",
    "junit.xml": "application/xml",
}
LOG_TAIL_CHARS = 2000


class State(enum.StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    FINISHED = "finished"  # every verdict is in the reports (passed or not)
    FAILED = "failed"  # the suite stopped: adapter unreachable, bad option, ...


@dataclasses.dataclass
class RunView:
    """One run as the pages show it."""

    run_id: str
    created: str
    adapter_url: str
    profile: str
    profile_name: str
    rules: list[str]
    state: State
    total: int | None = None
    decided: list[dict] = dataclasses.field(default_factory=list)
    last_step: str = ""
    message: str = ""
    summary: dict = dataclasses.field(default_factory=dict)
    fingerprint: str = ""
    downloads: list[str] = dataclasses.field(default_factory=list)
    consumer: str | None = None  # the vendor whose run it is (shared mode)

    @property
    def active(self) -> bool:
        return self.state in (State.STARTING, State.RUNNING)


# In shared mode a run needs a token for the simulator's control API: ``mint(name)`` gives
# a secret for the run's process and the function that revokes it when the run has ended.
Mint = Callable[[str], tuple[str, Callable[[], None]]]


class Runs:
    def __init__(
        self,
        root: Path,
        simulator_url: str,
        key_dir: Path,
        real_now: Callable[[], dt.datetime],
        mint: Mint | None = None,
    ):
        self.root = root
        self.simulator_url = simulator_url
        self.key_path = key_dir / certificate.PRIVATE_KEY_FILE
        self.real_now = real_now
        self.mint = mint

    # --- starting ----------------------------------------------------------------------------
    def signing_key(self) -> Path:
        """The installation's signing key (made on first use), shared with the CLI's default."""
        if not self.key_path.exists():
            try:
                certificate.init_keys(self.key_path.parent)
            except certificate.CertificateError:
                pass  # made by another worker at the same moment
        return self.key_path

    def public_key(self) -> Path:
        return certificate.public_key_path(self.signing_key())

    def start(self, request: Request, consumer: str | None = None) -> str:
        """Start the suite as its own process and return at once; the pages follow its files.
        ``consumer``: the vendor (shared mode) whose run it is; None: nobody's in particular."""
        run_id = secrets.token_hex(8)
        directory = self.root / run_id
        directory.mkdir(parents=True)
        created = self.real_now().astimezone(dt.UTC).replace(microsecond=0).isoformat()
        asked = dataclasses.asdict(request) | {"created": created, "consumer": consumer}
        asked.pop("profile_file")
        (directory / "request.json").write_text(json.dumps(asked, ensure_ascii=False), "utf-8")
        args = [sys.executable, "-m", "simulator.cli", "conformance", "run", "--adapter", request.adapter_url]
        if request.profile == UPLOAD and request.profile_file is not None:
            (directory / "profile.toml").write_bytes(request.profile_file)
            args += ["--profile-file", str(directory / "profile.toml")]
        else:
            args += ["--profile", request.profile]
        args += [
            "--simulator",
            self.simulator_url,
            "--rules",
            ",".join(request.rules),
            "--report",
            str(directory / "report"),
            "--json-progress",
            str(directory / "progress.json"),
            "--signing-key",
            str(self.signing_key()),
        ]
        env, revoke = None, None
        if self.mint is not None:  # the token lives in the run's environment only, never on disk
            secret, revoke = self.mint(f"certification run {run_id}")
            env = {**os.environ, TOKEN_ENV: secret}
        with open(directory / "run.log", "wb") as log:
            process = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env
            )
        (directory / "pid").write_text(str(process.pid))

        def reap() -> None:
            process.wait()
            if revoke is not None:
                revoke()

        threading.Thread(target=reap, name=f"certification-{run_id}", daemon=True).start()
        return run_id

    # --- reading -----------------------------------------------------------------------------
    def get(self, run_id: str, consumer: str | None = None) -> RunView | None:
        """The run; with ``consumer`` (a vendor in shared mode) only if it is that vendor's."""
        directory = self.root / run_id
        if not RUN_ID.match(run_id) or not (directory / "request.json").is_file():
            return None
        asked = json.loads((directory / "request.json").read_text("utf-8"))
        if consumer is not None and asked.get("consumer") != consumer:
            return None
        progress = _json(directory / "progress.json") or {}
        view = RunView(
            run_id=run_id,
            created=asked["created"],
            adapter_url=asked["adapter_url"],
            profile=asked["profile"],
            profile_name=asked.get("profile_name", ""),
            rules=asked["rules"],
            state=self._state(directory, progress),
            total=progress.get("total"),
            decided=progress.get("rules", []),
            last_step=progress.get("last_step", ""),
            message=progress.get("message", ""),
            consumer=asked.get("consumer"),
        )
        if view.state == State.FAILED and not view.message:
            view.message = _tail(directory / "run.log") or "The suite process ended without a result."
        report = directory / "report"
        view.downloads = [name for name in DOWNLOADS if (report / name).is_file()]
        data = _json(report / "report.json")
        view.summary = data["summary"] if data else {}
        signed = _json(report / certificate.FILE_NAME)
        view.fingerprint = signed["signature"]["key_fingerprint"] if signed else ""
        return view

    def history(self, consumer: str | None = None) -> list[RunView]:
        """Every run, newest first; with ``consumer`` only that vendor's."""
        if not self.root.is_dir():
            return []
        views = [self.get(p.name, consumer) for p in self.root.iterdir() if p.is_dir()]
        return sorted((v for v in views if v is not None), key=lambda v: v.created, reverse=True)

    def active(self, consumer: str | None = None) -> RunView | None:
        return next((v for v in self.history(consumer) if v.active), None)

    def download(self, run_id: str, name: str, consumer: str | None = None) -> Path | None:
        if name not in DOWNLOADS or self.get(run_id, consumer) is None:
            return None
        path = self.root / run_id / "report" / name
        return path if path.is_file() else None

    def _state(self, directory: Path, progress: dict) -> State:
        written = progress.get("state")
        if written in (State.FINISHED, State.FAILED):
            return State(written)
        if _alive(directory / "pid"):
            return State.RUNNING if written else State.STARTING
        return State.FAILED  # the process is gone without saying it finished


def _alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return True  # being started: the pid is written right after the process is
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """An ended child not yet reaped still answers kill(0); /proc says it is a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _tail(path: Path) -> str:
    try:
        return path.read_text("utf-8", errors="replace")[-LOG_TAIL_CHARS:].strip()
    except OSError:
        return ""
