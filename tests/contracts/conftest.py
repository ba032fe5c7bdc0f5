"""The official MVK bundle is licensed reference material kept outside the repository
(tests.support.OFFICIAL_CONTRACTS); tests that compare against it skip, saying why, on a
machine without it."""

from __future__ import annotations

import pytest

from tests.support import OFFICIAL_CONTRACTS


@pytest.fixture(scope="session")
def official():
    if not (OFFICIAL_CONTRACTS / "TD_INBOX_2_0").is_dir():
        pytest.skip(
            f"official MVK contract bundle not found at {OFFICIAL_CONTRACTS} "
            "(it is not part of the repository; put TD_INBOX_2_0/ and TD_USERPROFILE_2_0/ there)"
        )
    return OFFICIAL_CONTRACTS
