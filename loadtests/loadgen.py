"""Load generators for the SOAP benchmark: ``wrk`` (C, epoll: not the bottleneck) driven
by a Lua script that POSTs the request and checks every answer, and a pure-Python
multi-process client used when wrk is not installed (slower: it shares the two cores with
the server, so its figures are a lower bound).

Both return the same :class:`LoadResult`. An answer counts as ``ok`` only if it is HTTP 200
with ``resultCode`` OK in the body; anything else answered is ``not_ok``; connection
failures and timeouts are ``errors``."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlsplit

# Placeholder in a request body that each request replaces with its own sequence number,
# so that every message is a new businessObjectId, as in real traffic.
SEQ = b"__SEQ__"


@dataclasses.dataclass
class LoadResult:
    client: str
    seconds: float
    ok: int
    not_ok: int
    errors: int
    p50_ms: float
    p99_ms: float
    first_bad: str = ""

    @property
    def answered(self) -> int:
        return self.ok + self.not_ok

    @property
    def rps(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


@dataclasses.dataclass(frozen=True)
class Load:
    """One POST to repeat: URL, headers and a body that may hold :data:`SEQ`; an answer is
    OK if it is HTTP 200 and matches ``ok_lua`` (wrk) / ``ok_regex`` (Python client)."""

    url: str
    body: bytes
    headers: dict[str, str]
    ok_lua: str = r"<[%w.:-]*resultCode>OK</"
    ok_regex: bytes = rb"<(?:[\w.-]+:)?resultCode>OK</"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run(load: Load, seconds: float, connections: int, client: str = "auto") -> LoadResult:
    if client == "auto":
        client = "wrk" if wrk_available() else "python"
    if client == "wrk":
        return run_wrk(load, seconds, connections)
    return run_python(load, seconds, connections)


# --- wrk -------------------------------------------------------------------------------

_LUA = r"""
local prefix, suffix, varying = %(prefix)s, %(suffix)s, %(varying)s
local ok_pattern = %(ok)s
local headers = %(headers)s
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  seq = id * 100000000
  ok, not_ok, first_bad = 0, 0, ""
end
function request()
  seq = seq + 1
  if not varying then return wrk.format("POST", nil, headers, prefix) end
  return wrk.format("POST", nil, headers, prefix .. seq .. suffix)
end
function response(status, hdrs, body)
  if status == 200 and string.find(body, ok_pattern) then
    ok = ok + 1
  else
    not_ok = not_ok + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 400) end
  end
end
function done(summary, latency, requests)
  local total_ok, total_bad, bad = 0, 0, ""
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_bad = total_bad + t:get("not_ok")
    if bad == "" then bad = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format('\nBENCH {"seconds": %%f, "ok": %%d, "not_ok": %%d, "errors": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d, "first_bad": %%q}\n',
    summary.duration / 1e6, total_ok, total_bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), bad))
end
"""


def _lua_string(data: bytes) -> str:
    return "[==[" + data.decode("utf-8") + "]==]"


def wrk_script(load: Load) -> str:
    prefix, found, suffix = load.body.partition(SEQ)
    headers = "{" + ", ".join(f'["{k}"] = {_lua_string(v.encode())}' for k, v in load.headers.items()) + "}"
    # Lua long strings drop a first newline; bodies here start with "<?xml", so none is lost.
    return _LUA % {
        "prefix": _lua_string(prefix),
        "suffix": _lua_string(suffix),
        "varying": "true" if found else "false",
        "ok": _lua_string(load.ok_lua.encode()),
        "headers": headers,
    }


def run_wrk(load: Load, seconds: float, connections: int) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(load))
    try:
        threads = max(1, min(connections, 2))
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                load.url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    finally:
        os.unlink(script.name)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    data = json.loads(line[6:])
    return LoadResult(
        "wrk",
        data["seconds"],
        data["ok"],
        data["not_ok"],
        data["errors"],
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        data["first_bad"],
    )


# --- Python fallback -------------------------------------------------------------------


def _raw_request(load: Load, body: bytes) -> bytes:
    parts = urlsplit(load.url)
    head = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Connection: close",
        f"Content-Length: {len(body)}",
    ] + [f"{k}: {v}" for k, v in load.headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _one(address, request: bytes) -> bytes:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _client_process(load: Load, seconds: float, threads: int, first_seq: int, queue) -> None:
    """One client process: ``threads`` connections in a loop until the deadline."""
    parts = urlsplit(load.url)
    address = (parts.hostname, parts.port or 80)
    begun = time.perf_counter()
    deadline = begun + seconds
    lock = threading.Lock()
    stats = {"ok": 0, "not_ok": 0, "errors": 0, "latencies": [], "first_bad": "", "seq": first_seq}

    ok = re.compile(load.ok_regex)

    def loop():
        while time.perf_counter() < deadline:
            with lock:
                stats["seq"] += 1
                seq = stats["seq"]
            request = _raw_request(load, load.body.replace(SEQ, str(seq).encode()))
            started = time.perf_counter()
            try:
                answer = _one(address, request)
            except OSError:
                with lock:
                    stats["errors"] += 1
                continue
            elapsed = time.perf_counter() - started
            good = answer.startswith(b"HTTP/1.1 200") and ok.search(answer) is not None
            with lock:
                stats["latencies"].append(elapsed)
                stats["ok" if good else "not_ok"] += 1
                if not good and not stats["first_bad"]:
                    stats["first_bad"] = answer[:600].decode("utf-8", "replace")

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stats.pop("seq")
    stats["seconds"] = time.perf_counter() - begun
    queue.put(stats)


def run_python(load: Load, seconds: float, connections: int) -> LoadResult:
    processes = max(1, min(connections, os.cpu_count() or 1))
    per_process = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    children = [
        ctx.Process(target=_client_process, args=(load, seconds, n, i * 100_000_000, queue))
        for i, n in enumerate(per_process)
    ]
    for child in children:
        child.start()
    results = [queue.get(timeout=seconds + 60) for _ in children]
    for child in children:
        child.join(10)
    latencies = sorted(x for r in results for x in r["latencies"])
    return LoadResult(
        "python",
        max(r["seconds"] for r in results),
        ok=sum(r["ok"] for r in results),
        not_ok=sum(r["not_ok"] for r in results),
        errors=sum(r["errors"] for r in results),
        p50_ms=_percentile(latencies, 50) * 1000,
        p99_ms=_percentile(latencies, 99) * 1000,
        first_bad=next((r["first_bad"] for r in results if r["first_bad"]), ""),
    )


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]
