"""Every GetPersonsForProfile answer is byte-identical to the one recorded before the
PU answer path was optimized (issue #12): see :mod:`tests.pu.golden` for the requests
and how the digests were made."""

from __future__ import annotations

import pytest

from tests import golden
from tests.pu.golden import GOLDEN, digests


def test_every_answer_is_byte_identical_to_the_recorded_one(tmp_path):
    _compare(digests(tmp_path))


@pytest.mark.postgres
def test_every_answer_is_byte_identical_on_postgres(tmp_path, postgres_url):
    _compare(digests(tmp_path, postgres_url))


def _compare(found: dict[str, str]) -> None:
    golden.compare(found, GOLDEN)
