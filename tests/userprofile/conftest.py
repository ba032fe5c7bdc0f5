"""The same own simulator as the inbox tests (built-in contracts, no seeded population)."""

from tests.inbox.conftest import server  # noqa: F401
