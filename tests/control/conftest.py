"""Fixtures for the control API tests: the real server (``simulator`` in tests/conftest.py)
for behaviour, and the application built in-process where a test must see Flask's own
route table."""
from __future__ import annotations

import pytest

from simulator import app as app_module
from simulator.config import Config


@pytest.fixture()
def web(tmp_path, monkeypatch):
    """The Flask part of a fully built application (every part installed), as a gunicorn
    worker builds it."""
    built = {}
    create_web = app_module.create_web

    def keep(runtime, endpoints):
        built["web"] = create_web(runtime, endpoints)
        return built["web"]

    monkeypatch.setattr(app_module, "create_web", keep)
    app_module.create_app(Config(data_dir=tmp_path / "data"))
    return built["web"]
