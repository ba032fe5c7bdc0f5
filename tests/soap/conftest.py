"""An in-process simulator for the SOAP surface tests: the whole WSGI application as a
gunicorn worker builds it (every part installed, seeded SQLite of its own), driven by
werkzeug's test client — the same bytes as over HTTP, without a socket, so thousands
of requests take seconds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from simulator.app import create_app
from simulator.config import Config
from simulator.platform.trafficstore import traffic, traffic_rollup
from simulator.server import prepare


class InProcess:
    def __init__(self, data_dir):
        config = Config(data_dir=data_dir, seed=True)
        self.runtime = prepare(config)
        self.app = create_app(config, migrate=False)
        self.client = Client(self.app)

    def recorded(self) -> int:
        """Exchanges in the traffic record (rows kept plus rows folded into the rollup)."""
        with self.runtime.db.connect() as conn:
            rows = conn.execute(sa.select(sa.func.count()).select_from(traffic)).scalar_one()
            folded = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(traffic_rollup.c.count), 0))).scalar_one()
        return rows + folded


@pytest.fixture(scope="module")
def inprocess(tmp_path_factory):
    return InProcess(tmp_path_factory.mktemp("soap") / "data")
