"""The official MVK bundle is licensed reference material kept outside the repository
(tests.support.OFFICIAL_CONTRACTS); tests that compare against it skip, saying why, on a
developer's machine without it, and fail in CI (KALLELSE_REQUIRE_ALL=1), where the
wire-identity proof must run."""

from __future__ import annotations

import pytest

from tests.support import OFFICIAL_CONTRACTS, require


@pytest.fixture(scope="session")
def official():
    require(
        (OFFICIAL_CONTRACTS / "TD_INBOX_2_0").is_dir(),
        f"the official MVK contract bundle at {OFFICIAL_CONTRACTS} "
        "(not part of the repository; put TD_INBOX_2_0/ and TD_USERPROFILE_2_0/ there)",
    )
    return OFFICIAL_CONTRACTS
