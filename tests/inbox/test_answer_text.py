"""The AddMessage answer is written as text (issue #12); the text must be exactly what
lxml writes for the same answer built as a tree, and a value lxml writes otherwise (a
carriage return) must leave the answer to lxml."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

import rivta
from contracts.bundle import builtin_bundle
from simulator.inbox import domain, soap
from simulator.population.seed import seed_population
from simulator.soap.endpoint import TextAnswer

CONTRACT = builtin_bundle()["AddMessage"]
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
LETTER = '<article><para>Tid &amp; plats: <ulink url="https://1177.se">här</ulink> > där</para></article>'
KALLELSER = [
    rivta.Kallelse("191212121212", LETTER, "B-1", "Kallelse", "Rubrik <&>", {"hsaId": "SE1"}, None, None, True, "S"),
    rivta.Kallelse("191212121212", LETTER, None, None, None, {"healthCareFacilityName": "Bara namn"}, notify=False),
    rivta.Kallelse("191212121212", LETTER, "B-2", "", "", None, notify=False),
    rivta.Kallelse("199007079818", LETTER, "B-3", "Kallelse", "Utan konto", None, notify=False),
    rivta.Kallelse("191212121213", LETTER, "B-4", notify=False),  # wrong check digit: ERROR, no message
]
CITIZENS = {c.personnummer: c for c in seed_population(NOW.date())}


def outcome(kallelse: rivta.Kallelse) -> domain.Outcome:
    payload = etree.fromstring(etree.tostring(rivta.add_message(CONTRACT, kallelse)))
    request = soap.read_add_message(CONTRACT, payload)
    return domain.add_message(request, CITIZENS.get(request.subject_of_care_id), NOW, "id-1")


@pytest.mark.parametrize("kallelse", KALLELSER)
def test_the_written_answer_is_what_lxml_writes(kallelse):
    found = outcome(kallelse)
    written = soap.add_message_response(CONTRACT, found)
    assert isinstance(written, TextAnswer)
    assert written.text == etree.tostring(soap.response_tree(CONTRACT, found), encoding="UTF-8")
    assert written.outline.findtext("{*}resultCode") == found.result_code


def test_a_carriage_return_leaves_the_answer_to_lxml():
    kallelse = rivta.Kallelse("191212121212", LETTER, "B-5", "Kallelse", "rad 1\rrad 2", None, notify=False)
    built = soap.add_message_response(CONTRACT, outcome(kallelse))
    assert isinstance(built, etree._Element)
    assert b"rad 1&#13;rad 2" in etree.tostring(built)
