"""The suite on a shared test bed (docs/platform.md, "Shared mode"): it sends the token it
is given to the simulator and nowhere else, an admin's token lets it move the shared clock,
none is refused by name, and a run started from /certifiering/ gets a token of its own that
dies with the run."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from conformance import rest
from conformance.simulator_api import SimulatorApi, SimulatorError
from simulator.auth.store import TokenStore
from simulator.auth.tokens import Role
from simulator.certification import wiring
from tests.support import InProcessSimulator

NOW = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    server = InProcessSimulator(tmp_path_factory.mktemp("shared"), shared=True).start()
    yield server
    server.stop()


def sent_header(http: requests.Session, url: str) -> str | None:
    prepared = http.prepare_request(requests.Request("GET", url))
    return prepared.headers.get("Authorization")


def test_the_token_goes_to_the_simulator_only():
    http = rest.session(token="kt_secret", base_url="http://sim.example:8080")
    assert sent_header(http, "http://sim.example:8080/api/clock") == "Bearer kt_secret"
    assert sent_header(http, "http://adapter.example/health") is None
    assert sent_header(http, "http://sim.example:8081/api/clock") is None
    assert (
        sent_header(rest.session(token="kt_secret", base_url="http://sim.example"), "http://sim.example.evil/x") is None
    )
    assert sent_header(rest.session(), "http://sim.example:8080/api/clock") is None


def test_without_a_token_the_suite_is_told_why(shared):
    with pytest.raises(SimulatorError, match="HTTP 401.*Authorization"):
        SimulatorApi(shared.url).clock(freeze=True)


def test_an_admin_token_lets_the_suite_move_the_shared_clock(shared):
    store = TokenStore(shared.app.config["RUNTIME"].db)
    _, admin = store.create(Role.ADMIN, None, "conformance admin", NOW)
    _, vendor = store.create(Role.VENDOR, "SE2321000016-AAAA", "vendor A", NOW)
    moved = SimulatorApi(shared.url, admin).clock(set=NOW + dt.timedelta(days=1), freeze=True)
    assert moved == NOW + dt.timedelta(days=1)
    with pytest.raises(SimulatorError, match="HTTP 403"):
        SimulatorApi(shared.url, vendor).clock(freeze=True)


def test_a_certification_run_gets_its_own_token_revoked_when_it_ends(shared):
    runtime = shared.app.config["RUNTIME"]
    store = TokenStore(runtime.db)
    secret, revoke = wiring._minter(runtime)("certification run 0123456789abcdef")
    token = store.find(secret)
    assert token is not None and token.role is Role.ADMIN and token.consumer is None
    revoke()
    assert store.find(secret) is None


def test_a_dropped_connection_repeats_a_read_but_never_a_put():
    """conformance.rest: a GET whose connection is reset is tried again; a PUT that may
    have arrived is not (the adapter would send the vendor's update twice)."""
    import socket
    import struct
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def serve() -> None:
        for _ in range(4):  # GET (reset), GET again (answered), PUT (reset), a repeated PUT (answered)
            try:
                conn, _ = listener.accept()
            except OSError:  # closed by the test: the PUT was not repeated
                return
            request = conn.recv(65536)
            seen.append(request.split(b" ", 1)[0])
            if len(seen) % 2:  # every first try of a request: reset, as a closing server does
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
    http = rest.session()
    assert http.get(url, timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        http.put(url, json={}, timeout=5)
    assert seen == [b"GET", b"GET", b"PUT"]
    listener.close()
