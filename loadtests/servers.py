"""The processes a load run starts and watches: ``kallelse serve`` exactly as a user starts
it (migrated, seeded, N gunicorn workers, SQLite or PostgreSQL), separate ``kallelse
worker`` processes for the PostgreSQL scale-out, and a sampler that reads CPU time and
resident memory of the whole process tree with psutil while the load runs."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(args: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    log = open(log_path, "ab")
    return subprocess.Popen(
        args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True, env={**os.environ, **(env or {})}
    )


def stop(process: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM the process group (gunicorn master, workers, spawned dispatch worker)."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def wait_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy within {timeout} s")


@dataclasses.dataclass
class Simulator:
    """A ``kallelse serve`` this run started (plus any separate dispatch workers)."""

    process: subprocess.Popen
    url: str
    database_url: str | None
    log_path: Path
    workers: list[subprocess.Popen] = dataclasses.field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        return [self.process.pid] + [w.pid for w in self.workers]

    def stop(self) -> None:
        for worker in self.workers:
            stop(worker)
        stop(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


def serve_command(port: int, data_dir: Path, processes: int, database_url: str | None) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "simulator.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--workers",
        str(processes),
        "--seed",
        "--log-level",
        "warning",
    ]
    return args + (["--database-url", database_url] if database_url else [])


def worker_command(url: str, database_url: str, concurrency: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "simulator.cli",
        "worker",
        "--database-url",
        database_url,
        "--simulator-url",
        url,
        "--concurrency",
        str(concurrency),
        "--log-level",
        "warning",
    ]


def start_simulator(
    work_dir: Path, processes: int = 2, database_url: str | None = None, dispatch_workers: int = 1
) -> Simulator:
    """``dispatch_workers`` beyond the one ``serve`` spawns itself are separate ``kallelse
    worker`` processes, which only PostgreSQL supports (procrastinate); on SQLite the one
    embedded worker is all there is."""
    work_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    separate = database_url is not None and dispatch_workers > 1  # procrastinate workers need PostgreSQL
    env = {"KALLELSE_DISPATCH_WORKERS": "0"} if separate else {}
    log_path = work_dir / "simulator.log"
    process = spawn(serve_command(port, work_dir / "data", processes, database_url), log_path, env)
    simulator = Simulator(process, url, database_url, log_path)
    try:
        wait_healthy(url, process, log_path)
        if separate and database_url is not None:
            simulator.workers = [
                spawn(worker_command(url, database_url), work_dir / f"dispatch-worker-{i}.log")
                for i in range(dispatch_workers)
            ]
    except BaseException:
        simulator.stop()
        raise
    return simulator


class ResourceSampler:
    """CPU seconds and peak resident memory of the process trees under ``pids`` between
    start() and stop(), sampled every ``interval`` seconds (memory) and summed per process
    (CPU: the last reading of each process seen, minus its reading at start)."""

    def __init__(self, pids: list[int], interval: float = 0.5):
        self.roots = pids
        self.interval = interval
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.peak_rss = 0
        self.series: list[int] = []  # resident memory per sample, for the soak's "memory flat"
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="resource-sampler", daemon=True)
        self.started = self.stopped = 0.0

    def _tree(self) -> list[psutil.Process]:
        found = []
        for pid in self.roots:
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(pid)
                found += [root] + root.children(recursive=True)
        return found

    def sample(self) -> None:
        rss = 0
        processes = self._tree()
        for process in processes:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                cpu = times.user + times.system
                self.first.setdefault(process.pid, cpu)
                self.last[process.pid] = cpu
                rss += process.memory_info().rss
        self.peak_rss = max(self.peak_rss, rss)
        self.series.append(rss)
        self.peak_processes = max(self.peak_processes, len(processes))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> ResourceSampler:
        self.started = time.monotonic()
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join(5)
        self.sample()
        self.stopped = time.monotonic()
        return self.result()

    def memory_trend(self) -> dict:
        """Resident memory after warm-up (median of the run's second tenth) against the
        end (median of its last tenth): a leak shows as growth, a GC wobble does not."""
        tenth = len(self.series) // 10
        if tenth < 3:
            return {}

        def median_mb(values: list[int]) -> float:
            return round(sorted(values)[len(values) // 2] / 2**20, 1)

        start, end = median_mb(self.series[tenth : 2 * tenth]), median_mb(self.series[-tenth:])
        tenths = [median_mb(self.series[i * tenth : (i + 1) * tenth]) for i in range(10)]
        return {
            "rss_start_mb": start,
            "rss_end_mb": end,
            "rss_growth_mb": round(end - start, 1),
            "rss_tenths_mb": tenths,
        }

    def result(self) -> dict:
        cpu = sum(self.last[pid] - self.first[pid] for pid in self.last)
        wall = max(1e-9, (self.stopped or time.monotonic()) - self.started)
        return {
            "cpu_seconds": round(cpu, 2),
            "cpu_percent": round(100 * cpu / wall, 1),
            "peak_rss_mb": round(self.peak_rss / 2**20, 1),
            **self.memory_trend(),
            "processes": self.peak_processes,
            "seconds": round(wall, 1),
        }
