"""Shared fixtures: a real simulator over HTTP (SQLite by default; PostgreSQL for tests
marked ``postgres``)."""

from __future__ import annotations

import pytest

from tests.support import SimulatorProcess, drop_postgres_schema, new_postgres_schema, postgres_available, require


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


@pytest.fixture()
def web(tmp_path, monkeypatch):
    """The Flask part of a fully built application (every part installed) on its own SQLite
    file, as a gunicorn worker builds it: for tests that need Flask's route table or the
    runtime (``web.config["RUNTIME"]``) in-process."""
    from simulator import app as app_module
    from simulator.config import Config

    built = {}
    create_web = app_module.create_web

    def keep(runtime, endpoints):
        built["web"] = create_web(runtime, endpoints)
        return built["web"]

    monkeypatch.setattr(app_module, "create_web", keep)
    app_module.create_app(Config(data_dir=tmp_path / "data"))
    return built["web"]
