"""A simulator of this test package's own (built-in contracts, no seeded population):
every test creates exactly the citizens it needs (tests.inbox.wire.person)."""

from __future__ import annotations

import pytest

from tests.support import InProcessSimulator


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sim = InProcessSimulator(tmp_path_factory.mktemp("sim"), seed=False).start()
    yield sim
    sim.stop()
