"""Shared fixtures: a real simulator over HTTP (SQLite by default; PostgreSQL for tests
marked ``postgres``)."""
from __future__ import annotations

import pytest

from tests.support import (SimulatorProcess, drop_postgres_schema, new_postgres_schema, postgres_available,
                           require)


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    """A seeded simulator with its own SQLite file, shared by one test module."""
    server = SimulatorProcess(tmp_path_factory.mktemp("sim")).start()
    yield server
    server.stop()


@pytest.fixture()
def fresh_simulator(tmp_path):
    """A simulator of the test's own, for tests that change global state."""
    server = SimulatorProcess(tmp_path / "sim").start()
    yield server
    server.stop()


@pytest.fixture()
def postgres_url():
    require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    url = new_postgres_schema()
    yield url
    drop_postgres_schema(url)
