"""In-process micro-benchmark: microseconds per AddMessage for each step of the hot path,
without HTTP, to locate costs the HTTP benchmark only sums up.

    python -m loadtests.bench_micro [--profile OUT.html]

Steps: envelope parse, XSD validation, response serialization, one bare INSERT+COMMIT, the
real AddMessage producer (domain + store), the whole simulator WSGI app (SoapRouter ->
SoapEndpoint with every interceptor), and the floor and spyne apps for comparison."""

from __future__ import annotations

import io
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import click
from lxml import etree

from loadtests import addmessage
from loadtests.loadgen import SEQ


class _Counter:
    """Each call gets a new businessObjectId (and so a new row) like real traffic."""

    def __init__(self, template: bytes):
        self.template, self.seq = template, 0

    def __call__(self) -> bytes:
        self.seq += 1
        return self.template.replace(SEQ, str(self.seq).encode())


def measure(step: Callable[[], object], budget: float = 0.4, batches: int = 5) -> tuple[float, float]:
    """(CPU µs, wall µs) per call: the median over ``batches`` of the per-call mean, each
    batch about ``budget`` s. CPU time is what other load on a shared machine barely
    moves; wall time adds waits (fsync at WAL checkpoints, lock waits)."""
    step()
    started, n = time.perf_counter(), 0
    while time.perf_counter() - started < budget / 4:
        step()
        n += 1
    per_batch = max(3, int(n * 4 / batches))
    cpu, wall = [], []
    for _ in range(batches):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for _ in range(per_batch):
            step()
        cpu.append((time.process_time() - cpu_start) / per_batch * 1e6)
        wall.append((time.perf_counter() - wall_start) / per_batch * 1e6)
    return statistics.median(cpu), statistics.median(wall)


_JUNK = bytearray(16 * 1024 * 1024)


def _evict_caches() -> None:
    """Touch 16 MB, as the other processes of a busy machine do between two requests."""
    junk = _JUNK
    for i in range(0, len(junk), 64):
        junk[i] ^= 1


def measure_cold(step: Callable[[], object], calls: int = 200) -> tuple[float, float]:
    """(CPU µs, wall µs) per call with the CPU caches evicted before each (untimed)."""
    step()
    cpu = wall = 0.0
    for _ in range(calls):
        _evict_caches()
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        step()
        cpu += time.process_time() - cpu_start
        wall += time.perf_counter() - wall_start
    return cpu / calls * 1e6, wall / calls * 1e6


def wsgi_call(app, body: bytes, soap_action: str, path: str = addmessage.PATH) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_SOAPACTION": f'"{soap_action}"',
        "HTTP_X_RIVTA_ORIGINAL_SERVICECONSUMER_HSAID": addmessage.CONSUMER,
    }
    status = []
    body_out = b"".join(app(environ, lambda s, h, exc_info=None: status.append(s)))
    return status[0], body_out


def _checked(app, next_body: Callable[[], bytes], soap_action: str) -> Callable[[], None]:
    def step():
        status, answer = wsgi_call(app, next_body(), soap_action)
        if not status.startswith("200") or b">OK</" not in answer:
            raise RuntimeError(f"not an OK AddMessage answer: {status} {answer[:600]!r}")

    return step


def simulator_app(work: Path, contracts: Path | None):
    """The real application, migrated and seeded, on a fresh SQLite file; returns the
    WSGI app, a runtime on the same database and the app's SOAP endpoints."""
    from simulator.app import create_app
    from simulator.config import Config
    from simulator.server import prepare

    config = Config(data_dir=work, seed=True, contracts=contracts)
    runtime = prepare(config)
    app = create_app(config, migrate=False)
    return app, runtime, app.config["SOAP_ENDPOINTS"]


def steps(work: Path, contracts: Path | None) -> dict[str, Callable[[], object]]:
    from loadtests import bench_targets
    from loadtests.bench_servers import spyne_missing
    from simulator.soap import envelope as soap
    from simulator.soap.validation import validate

    app, runtime, endpoints = simulator_app(work / "sim", contracts)
    template = addmessage.template(addmessage.reachable_personnummer(runtime.citizens.all()), contracts=contracts)
    body = template.replace(SEQ, b"1")
    contract = runtime.contracts["AddMessage"]
    action = contract.soap_action
    payload = soap.parse_request(body).payload
    ns = contract.responder_namespace

    def serialize():
        answer = etree.Element(contract.response_element)
        etree.SubElement(answer, f"{{{ns}}}resultCode").text = "OK"
        return soap.response(answer)

    result = {
        "parse envelope": lambda: soap.parse_request(body),
        "validate (XSD)": lambda: validate(contract.schema, payload),
        "serialize response": serialize,
        "INSERT + COMMIT": _bare_commit(work, payload),
    }
    endpoint = endpoints.get(addmessage.PATH)
    if endpoint is not None:
        result["producer (domain + store)"] = _producer_step(endpoint, _Counter(template))
        result["simulator app, in-process"] = _checked(app, _Counter(template), action)
    import os

    os.environ["BENCH_CONTRACTS"] = str(contracts or "")
    result["floor app, in-process"] = _checked(bench_targets.floor_app(), _Counter(template), action)
    if spyne_missing() is None:
        from bench.spyne_app import spyne_app

        result["spyne app, in-process"] = _checked(spyne_app(), _Counter(template), action)
    return result


def operation_steps(work: Path, contracts: Path | None) -> dict[str, Callable[[], object]]:
    """Each operation of ``kallelse load bench`` as one in-process call of the simulator's
    WSGI app with the bench's own request bytes, checked to be answered OK (AddMessage
    with a new businessObjectId per call; GetMessageStatus about a message stored first)."""
    from loadtests.bench_operations import OPERATIONS, STATUS_BUSINESS_OBJECT_ID, People
    from simulator.server import tune_gc

    app, runtime, _ = simulator_app(work / "ops", contracts)
    tune_gc()  # as a gunicorn worker does after building its app
    citizens = runtime.citizens.all()
    people = People(addmessage.reachable_personnummer(citizens), tuple(sorted(c.personnummer for c in citizens)))
    template = addmessage.template(people.personnummer, contracts=contracts)
    status_message = template.replace(b"BENCH-" + SEQ, STATUS_BUSINESS_OBJECT_ID.encode())
    wsgi_call(app, status_message, runtime.contracts["AddMessage"].soap_action)
    steps: dict[str, Callable[[], object]] = {}
    for name, operation in OPERATIONS.items():
        action = runtime.contracts[operation.interaction].soap_action
        next_body = _Counter(template) if operation.payload is None else _Same(operation.payload(people, contracts))
        steps[name] = _answered(app, next_body, action, operation.path, re.compile(operation.ok[1]))
    return steps


class _Same:
    """The same request every call (the operations that only read)."""

    def __init__(self, body: bytes):
        self.body = body

    def __call__(self) -> bytes:
        return self.body


def _answered(app, next_body: Callable[[], bytes], soap_action: str, path: str, ok: re.Pattern) -> Callable[[], None]:
    def step():
        status, answer = wsgi_call(app, next_body(), soap_action, path)
        if not status.startswith("200") or not ok.search(answer):
            raise RuntimeError(f"not an OK answer from {path}: {status} {answer[:600]!r}")

    return step


def _bare_commit(work: Path, payload) -> Callable[[], None]:
    from loadtests.bench_targets import bench_table, row_of

    db, table = bench_table(f"sqlite:///{work / 'commit.sqlite'}", create=True)
    row, insert = row_of(payload), table.insert()

    def step():
        with db.begin() as conn:
            conn.execute(insert, row)

    return step


def _producer_step(endpoint, next_body: Callable[[], bytes]) -> Callable[[], object]:
    """The producer alone, on an already parsed and validated call."""
    from simulator.soap import envelope as soap
    from simulator.soap.endpoint import SoapCall
    from simulator.storage.scope import request_scope

    def step():
        body = next_body()
        call = SoapCall(
            endpoint.contract,
            {
                "HTTP_X_RIVTA_ORIGINAL_SERVICECONSUMER_HSAID": addmessage.CONSUMER,
                "HTTP_SOAPACTION": endpoint.contract.soap_action,
            },
            body,
        )
        call.envelope = soap.parse_request(body)
        with request_scope():
            return endpoint.producer(call)

    return step


def run(
    contracts: Path | None = None, echo=print, profile: Path | None = None, cold: bool = False, operations: bool = False
) -> dict:
    """``cold``: evict the CPU caches before every call, which is what a request in a
    server on a busy machine meets; hot loops flatter code with a large footprint.
    ``operations``: each bench operation through the whole app instead of AddMessage's steps."""
    with tempfile.TemporaryDirectory(prefix="kallelse-micro-") as folder:
        figures = {}
        all_steps = operation_steps(Path(folder), contracts) if operations else steps(Path(folder), contracts)
        echo(f"{'in-process step':<30}{'CPU µs':>10}{'wall µs':>10}")
        for name, step in all_steps.items():
            cpu, wall = measure_cold(step) if cold else measure(step)
            figures[name] = {"cpu_us": round(cpu, 1), "wall_us": round(wall, 1)}
            echo(f"{name:<30}{cpu:>10.1f}{wall:>10.1f}")
        if not operations and "producer (domain + store)" not in all_steps:
            echo("(no AddMessage producer is installed yet: the simulator rows are missing)")
        if profile and "simulator app, in-process" in all_steps:
            _profile(all_steps["simulator app, in-process"], profile, echo)
    return figures


def _profile(step: Callable[[], object], out: Path, echo) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(500):
        step()
    profiler.stop()
    out.write_text(profiler.output_html())
    echo("\n" + profiler.output_text(unicode=True, color=False, show_all=False))
    echo(f"profile written to {out}")


@click.command("micro")
@click.option("--contracts", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Profile 500 in-process AddMessage calls with pyinstrument; write HTML here.",
)
@click.option("--cold", is_flag=True, help="Evict the CPU caches (16 MB touched) before every call.")
@click.option(
    "--operations", is_flag=True, help="CPU per call of each bench operation through the app, instead of the steps."
)
def micro(contracts: Path | None, profile: Path | None, cold: bool, operations: bool) -> None:
    """Microseconds per AddMessage for each step of the hot path, in-process."""
    run(contracts, echo=click.echo, profile=profile, cold=cold, operations=operations)


if __name__ == "__main__":
    micro()
