"""Running the simulator: prepare the database (migrate, seed) once in the parent, then
serve with gunicorn gthread workers, each building its own app (no state shared by fork).

Why gthread (docs/performance.md, "Slow clients"): a sync worker is held by one
connection from its first byte to its last, so two idle sockets stopped /api/health
for two minutes. A gthread worker parks idle and keep-alive connections in its poller
(no thread held; a new connection with nothing to read after IDLE_HANDOFF_SECONDS is
parked too) and serves the rest from ``KALLELSE_THREADS`` threads (default 64), so
50 idle plus 50 trickling connections leave threads for everyone else; keep-alive also
spares real SOAP clients (CXF, zeep) a TCP handshake per call. The socket stays
reachable as ``environ["gunicorn.socket"]`` for the platform's connection_reset and
truncated behaviours."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import time

from gunicorn.app.base import BaseApplication

from simulator import schema
from simulator.config import Config
from simulator.platform.tls import gunicorn_settings as gunicorn_tls_settings
from simulator.runtime import Runtime

log = logging.getLogger(__name__)

THREADS = 64
# gunicorn's gthread worker hands each new connection to a thread that waits up to 5 s
# for its first bytes before parking it in the poller; idle sockets would hold threads.
IDLE_HANDOFF_SECONDS = 0.2
GC_THRESHOLDS = (20_000, 50, 50)  # gc.get_threshold() default: (700, 10, 10)


def prepare(config: Config, seed: bool | None = None) -> Runtime:
    runtime = Runtime.build(config)
    schema.upgrade(runtime.db)
    if seed if seed is not None else config.seed:
        from simulator.population.seed import seed_population

        runtime.citizens.replace_seeded(seed_population(runtime.clock.local_now().date()))
    return runtime


def served_urls(config: Config) -> list[str]:
    from simulator.app import served_paths

    runtime = Runtime.build(config)
    try:
        return [f"{config.base_url}{path}" for path in served_paths(runtime)]
    finally:
        runtime.db.dispose()


class _Gunicorn(BaseApplication):
    def __init__(self, config: Config):
        self.config_obj = config
        super().__init__()

    def load_config(self):
        config = self.config_obj
        settings = {
            "bind": f"{config.host}:{config.port}",
            "workers": max(1, config.workers),
            "worker_class": "gthread",
            "threads": int(os.environ.get("KALLELSE_THREADS", THREADS)),
            "keepalive": 5,
            "timeout": 120,
            "graceful_timeout": 5,
            "loglevel": config.log_level,
            "accesslog": None,
            "when_ready": self._when_ready,
            "control_socket_disable": True,
        }
        settings.update(gunicorn_tls_settings(config))
        for key, value in settings.items():
            self.cfg.set(key, value)

    def _when_ready(self, server):
        lines = ["Kallelse Testbed simulator is ready:"] + [f"  {url}" for url in served_urls(self.config_obj)]
        print("\n".join(lines), flush=True)

    def load(self):
        from gunicorn.workers import gthread

        from simulator.app import create_app

        # No public setting exists for this in gunicorn 27.0.1 (the version requirements.lock
        # pins): the worker reads the module constant at call time. If a gunicorn release
        # drops it, say so instead of silently serving with 5 s (tests/soap/test_slow_clients.py
        # fails then too).
        if not hasattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT"):
            log.warning("gunicorn %s has no gthread DEFAULT_WORKER_DATA_TIMEOUT: idle hand-off not tuned", gthread)
        gthread.DEFAULT_WORKER_DATA_TIMEOUT = IDLE_HANDOFF_SECONDS

        app = create_app(self.config_obj, migrate=False)
        tune_gunicorn(self.cfg)
        tune_gc()
        return app


def tune_gunicorn(cfg) -> None:
    """Per-request work of gunicorn 27.0.1's request handling that gives the same answer
    for every request of a worker, done once (in the worker, after the fork, while it loads
    the app). Each step checks that the gunicorn it meets is shaped as expected and leaves
    it alone otherwise (tests/soap/test_server_tuning.py fails then).

    * Settings: ``cfg.<name>`` goes through ``Config.__getattr__`` and the setting object
      (~17 reads a request: parser limits, header policy, keep-alive, logging); the values
      are put in the instance's own ``__dict__``, where attribute lookup finds them first.
      A worker's settings never change (a reload starts new workers).
    * Trusted-proxy check: every request parses the peer's address with ``ipaddress`` and
      tests it against ``forwarded_allow_ips`` (~10 µs); the answer depends only on the
      address and the allow list, so it is remembered per (address, list), bounded.
    * The ``Date`` header: formatted once per second instead of once per response
      (``email.utils.formatdate``)."""
    from gunicorn import util
    from gunicorn.http import message

    settings = getattr(cfg, "settings", None)
    if isinstance(settings, dict) and type(cfg).__getattr__ is not object.__getattribute__:
        # (a name the class defines itself, a property such as ``worker_class``, stays the class's)
        kind = type(cfg)
        vars(cfg).update({name: setting.get() for name, setting in settings.items() if not hasattr(kind, name)})
    check = getattr(message, "_ip_in_allow_list", None)
    if check is not None and not getattr(check, "kallelse_cached", False):
        message._ip_in_allow_list = _remembered_allow_check(check)
    if getattr(util, "http_date", None) is not None and not getattr(util.http_date, "kallelse_cached", False):
        util.http_date = _http_date_per_second(util.http_date)


ALLOW_CHECK_MEMORY = 1024  # peer addresses remembered per worker (forgotten all at once when full)


def _remembered_allow_check(check):
    answers: dict[tuple, bool] = {}

    def remembered(ip_str, allow_list, networks):
        key = (ip_str, tuple(allow_list))
        found = answers.get(key)
        if found is None:
            if len(answers) >= ALLOW_CHECK_MEMORY:
                answers.clear()
            found = answers[key] = bool(check(ip_str, allow_list, networks))
        return found

    remembered.kallelse_cached = True
    return remembered


def _http_date_per_second(http_date):
    """The header text is remembered with the monotonic second it was made in, so it is
    never more than a second behind gunicorn's own (HTTP dates have whole seconds)."""
    state = [(-1, "")]  # (monotonic second, header text): the tuple is replaced whole

    def cached(timestamp=None):
        if timestamp is not None:
            return http_date(timestamp)
        second = int(time.monotonic())
        made, text = state[0]
        if made != second:
            text = http_date()
            state[0] = (second, text)
        return text

    cached.kallelse_cached = True
    return cached


def tune_gc() -> None:
    """After the worker has built its app: move what it built (contracts, schemas, the
    app) out of the cyclic collector's scans, and collect the young generation less often.
    A 500-identity GetPersonsForProfile allocates ~100,000 objects; with the default
    threshold (700) the collector ran ~150 times per call, a fifth of its CPU. Cycles are
    still collected (memory stays flat: ``kallelse load memory``)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def serve(config: Config, beside=()) -> None:
    """``beside``: callables ``start(config) -> Popen | None`` run once before the web
    workers (the CLI passes the dispatch core's), their processes stopped on exit."""
    prepare(config)
    log.info("database %s", Runtime.build(config).db)
    processes = [start(config) for start in beside]
    try:
        _Gunicorn(config).run()
    finally:
        for process in processes:
            _stop(process)
    sys.exit(0)


def _stop(process) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
