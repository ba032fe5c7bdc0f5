"""docker-compose.yml: containers cannot run here, so the file is validated (the compose
CLI's own ``config`` check, and our structural rules), every service's ``kallelse``
command is parsed by the real CLI, and the whole stack — simulator, two dispatch workers,
locust master and a locust worker — runs natively on PostgreSQL with exactly the
commands and environment the file gives, only host names, ports and paths mapped to this
machine."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import main
from tests.support import ROOT, free_port, healthy, require, wait_for

COMPOSE = ROOT / "docker-compose.yml"
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def interpolate(value: str, env: dict) -> str:
    return _VARIABLE.sub(lambda m: env.get(m.group(1)) or m.group(2) or "", value)


def service_command(name: str, env: dict | None = None) -> list[str]:
    return [interpolate(part, env or {}) for part in compose()["services"][name]["command"]]


def service_env(name: str, env: dict | None = None) -> dict[str, str]:
    return {
        key: interpolate(str(value), env or {})
        for key, value in (compose()["services"][name].get("environment") or {}).items()
    }


def kallelse_services() -> list[str]:
    return [name for name, service in compose()["services"].items() if service["command"][0] == "kallelse"]


def compose_cli() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_the_compose_cli_accepts_the_file():
    cli = compose_cli()
    require(cli is not None, "docker compose (or Debian's docker-compose) for `config`")
    done = subprocess.run([*cli, "-f", str(COMPOSE), "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_structure_services_health_checks_and_scaling():
    services = compose()["services"]
    assert set(services) >= {"postgres", "simulator", "dispatch", "locust-master", "locust-worker"}
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        assert isinstance(service["command"], list) and all(isinstance(p, str) for p in service["command"]), name
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert condition["condition"] in ("service_started", "service_healthy")
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no health check"
    for scaled in ("dispatch", "locust-worker"):  # --scale needs no fixed name or host port
        assert "container_name" not in services[scaled] and "ports" not in services[scaled]
    for name in kallelse_services():
        assert any(k.startswith("KALLELSE_") for k in services[name]["environment"]), name
    assert (ROOT / services["simulator"]["build"]["dockerfile"]).exists()


@pytest.mark.parametrize("name", kallelse_services())
def test_each_kallelse_command_parses(name):
    args = service_command(name)[1:]
    path, command = [], main
    while hasattr(command, "commands") or hasattr(command, "get_command"):
        sub = command.get_command(None, args[len(path)]) if args[len(path) :] else None
        if sub is None:
            break
        path.append(args[len(path)])
        command = sub
    command.make_context(" ".join(["kallelse", *path]), list(args[len(path) :]))  # raises on any bad option
    assert CliRunner().invoke(main, [*path, "--help"]).exit_code == 0


@pytest.mark.postgres
@pytest.mark.slow
def test_the_stack_runs_natively_with_the_compose_commands(postgres_url, tmp_path):
    port, master_port = free_port(), free_port()
    variables = {
        "LOAD_SCENARIO": "dispatch_end_to_end",
        "LOCUST_WORKERS": "1",
        "LOAD_USERS": "3",
        "LOAD_SPAWN_RATE": "3",
        "LOAD_DURATION": "8s",
        "LOAD_SLO_PROFILE": "ci",
        "KALLELSE_WORKERS": "2",
    }
    here = {
        "0.0.0.0": "127.0.0.1",
        "8080": str(port),
        "http://simulator:8080": f"http://127.0.0.1:{port}",
        "locust-master": "127.0.0.1",
        "5557": str(master_port),
        "/report": str(tmp_path / "report"),
    }

    def native(name: str) -> tuple[list[str], dict]:
        args = [here.get(part, part) for part in service_command(name, variables)]
        env = {
            **os.environ,
            **service_env(name, variables),
            "KALLELSE_DATABASE_URL": postgres_url,
            "KALLELSE_DATA_DIR": str(tmp_path / "data"),
        }
        if "KALLELSE_LOAD_LEDGER" in env:
            env["KALLELSE_LOAD_LEDGER"] = str(tmp_path / "report" / "ledger")
        return [sys.executable, "-m", "simulator.cli", *args[1:]], env

    processes = []

    def start(name: str) -> subprocess.Popen:
        args, env = native(name)
        log = open(tmp_path / f"{name}-{len(processes)}.log", "wb")
        process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        processes.append(process)
        return process

    try:
        start("simulator")
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), 90, "the simulator service", 0.3)
        for _ in range(2):  # docker compose up --scale dispatch=2
            start("dispatch")
        master = start("locust-master")
        start("locust-worker")
        assert master.wait(timeout=240) == 0, (tmp_path / "locust-master-3.log").read_text()[-4000:]
        # The simulator spawns no worker of its own (KALLELSE_DISPATCH_WORKERS=0): the two
        # dispatch services did the work, and both are still running.
        assert [p.poll() for p in processes[1:3]] == [None, None]
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["reconciliation"]["ok"] and summary["after"]["bookings"] > 0
    assert next(r for r in summary["stats"] if r["Name"] == "E2E booking→inbox")["Request Count"] > 0
