"""No clock command breaks the service (issue 13, item 3): a running server at the end
of the clock's range still answers everything, a state stored outside the range (an
older version, a hand-edited row) still starts and serves, and ``kallelse clock reset``
puts a stopped server's clock back on real time offline."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy as sa

from simulator.clock import LATEST
from simulator.storage.clockstore import clock_state
from tests.inbox.wire import add_message, response_payload
from tests.rivta import server_database
from tests.support import ROOT, SimulatorProcess

pytestmark = pytest.mark.slow
TOLVAN = "191212121212"
PAGES = ("/api/health", "/api/clock", "/api/clock/audit", "/api/citizens", "/", "/metrics")


def assert_serves(server) -> None:
    for path in PAGES:
        answer = requests.get(server.url + path, timeout=10)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    payload = response_payload(add_message(server.url, TOLVAN))
    assert payload.findtext("{*}resultCode") == "OK"
    assert "OverflowError" not in server.log()


def clock_reset(server) -> str:
    args = [sys.executable, "-m", "simulator.cli", "clock", "reset", "--data-dir", str(server.data_dir)]
    if server.database_url:
        args += ["--database-url", server.database_url]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path):
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    server = SimulatorProcess(tmp_path / "sim", database_url=url).start()
    yield server
    server.stop()


def test_the_clock_cannot_be_broken(server):
    # The command: refused at the door now, the clock untouched.
    answer = requests.post(f"{server.url}/api/clock", json={"set": "9999-12-31T22:00:00+00:00", "speed": 100000})
    assert answer.status_code == 400 and answer.json()["field"] == "set"
    # The fastest speed two hours before the end of the range: the API refuses to start such a
    # clock (it would leave the range within an hour), so it is stored as an older version or a
    # hand-edited row would leave it; running, it stops at the bound.
    assert requests.post(f"{server.url}/api/clock", json={"speed": 1.0}, timeout=10).status_code == 200  # a stored row
    db = server_database(server)
    with db.begin() as conn:
        conn.execute(
            sa.update(clock_state).values(
                real_anchor=dt.datetime.now(dt.UTC),
                sim_anchor=dt.datetime(2199, 12, 31, 22, tzinfo=dt.UTC),
                speed=100000.0,
                frozen=False,
            )
        )
    db.dispose()
    time.sleep(2)  # 200,000 simulated seconds: past the end
    assert requests.get(f"{server.url}/api/clock", timeout=10).json()["now"] == LATEST.isoformat()
    assert_serves(server)

    # A state stored from outside the range, then a restart.
    server.stop()
    db = server_database(server)
    far = dt.datetime(9999, 12, 31, 22, tzinfo=dt.UTC)
    with db.begin() as conn:
        conn.execute(sa.update(clock_state).values(sim_anchor=far, speed=100000.0, frozen=False))
    db.dispose()
    server.start()
    assert_serves(server)

    # Offline recovery.
    server.stop()
    assert "clock reset to real time" in clock_reset(server)
    server.start()
    shown = requests.get(f"{server.url}/api/clock", timeout=10).json()
    assert abs(shown["offset_seconds"]) < 60 and shown["speed"] == 1.0
    audit = requests.get(f"{server.url}/api/clock/audit", timeout=10).json()
    assert audit[0]["actor"] == "cli" and audit[0]["command"] == {"reset": True}
