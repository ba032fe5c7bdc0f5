"""Property-based testing of the whole JSON API from its generated OpenAPI document
(schemathesis): for any input the document allows — and the edges of what it refuses —
no answer is a 5xx. In-process through WSGI, so a few thousand calls take seconds."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    from simulator.app import create_app
    from simulator.config import Config

    app = create_app(Config(data_dir=tmp_path_factory.mktemp("schemathesis") / "data", seed=True))
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


EXAMPLES = 40  # per operation; about 25 operations


def check(case) -> None:
    response = case.call()
    where = f"{case.method} {case.formatted_path} {case.query or ''}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
        assert set(response.json()) == {"error", "field"}, f"{where}: {response.text[:300]}"


def test_no_server_error_for_any_generated_input(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20, "the generated document should describe the whole API"
    for operation in operations:
        run = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        run(given(case=operation.as_strategy())(lambda case: check(case)))()
