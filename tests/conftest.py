"""Shared fixtures: a simulator over real HTTP, in this test process (SQLite by default;
PostgreSQL for tests marked ``postgres``); ``simulator_process`` where only a real
``kallelse serve`` proves the point (tests marked ``slow``)."""

from __future__ import annotations

import hypothesis
import pytest

from simulator.app import create_app
from simulator.config import Config
from tests.support import (
    InProcessSimulator,
    SimulatorProcess,
    drop_postgres_schema,
    new_postgres_schema,
    postgres_available,
    prepared_data_dir,
    require,
)

# Property tests judge behaviour, not the speed of a shared 2-core machine: no per-example
# deadline and no "too slow" health check (generation is slowed by other processes, not by
# the strategies).
hypothesis.settings.register_profile("kallelse", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("kallelse")

# Fixtures that start a real ``kallelse serve`` (gunicorn workers and the dispatch worker):
# every test using one is ``slow``, wherever it is defined.
PROCESS_FIXTURES = frozenset({"simulator_process", "dispatch_server", "reference", "bridged"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES.intersection(getattr(item, "fixturenames", ())) or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    """A seeded simulator with its own SQLite file, shared by one test module."""
    server = InProcessSimulator(tmp_path_factory.mktemp("sim")).start()
    yield server
    server.stop()


@pytest.fixture()
def fresh_simulator(tmp_path):
    """A simulator of the test's own, for tests that change global state."""
    server = InProcessSimulator(tmp_path / "sim").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def simulator_process(tmp_path_factory):
    """``kallelse serve`` in its own process group (gunicorn workers, dispatch worker),
    shared by one test module: for tests marked ``slow``."""
    server = SimulatorProcess(tmp_path_factory.mktemp("sim-process")).start()
    yield server
    server.stop()


@pytest.fixture()
def postgres_url():
    require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    url = new_postgres_schema()
    yield url
    drop_postgres_schema(url)


@pytest.fixture()
def web(tmp_path):
    """The fully built application (every part installed) on its own SQLite file, as a
    gunicorn worker builds it: Flask's route table, ``web.config["RUNTIME"]`` and
    ``web.test_client()``, which reaches the SOAP endpoints too."""
    app = create_app(Config(data_dir=prepared_data_dir(tmp_path / "data", seed=False)))
    yield app
    app.config["RUNTIME"].db.dispose()
