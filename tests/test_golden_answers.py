"""Every answer of the golden suites is byte-identical to the one recorded before the
answer paths were optimized (issue #12): GetPersonsForProfile (:mod:`tests.pu.golden`),
and AddMessage, the user-profile operations, GetMessageStatus and the refusals every
operation shares (:mod:`tests.soap.golden`). Each suite module holds its requests and
says how its digests were recorded."""

from __future__ import annotations

import pytest

from tests import golden
from tests.pu import golden as pu_golden
from tests.soap import golden as soap_golden

SUITES = {"pu": pu_golden, "soap": soap_golden}


@pytest.mark.parametrize("suite", SUITES)
def test_every_answer_is_byte_identical_to_the_recorded_one(tmp_path, suite):
    golden.compare(SUITES[suite].digests(tmp_path), SUITES[suite].GOLDEN)


@pytest.mark.postgres
@pytest.mark.parametrize("suite", SUITES)
def test_every_answer_is_byte_identical_on_postgres(tmp_path, postgres_url, suite):
    golden.compare(SUITES[suite].digests(tmp_path, postgres_url), SUITES[suite].GOLDEN)
