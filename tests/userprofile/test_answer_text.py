"""The user-profile answers are written as text (issue #12); the text must be exactly
what lxml writes for the same answer built as a tree, and a value lxml writes otherwise
(a carriage return) or refuses (a control character) must leave the answer to lxml."""

from __future__ import annotations

import pytest
from lxml import etree

from contracts.bundle import builtin_bundle
from simulator.soap.endpoint import TextAnswer
from simulator.userprofile import soap
from simulator.userprofile.domain import Answer

FIELDS = {
    "subjectOfCareId": "191212121212",
    "firstName": "Åsa <Lisa> & \"Maja\" 'B'",
    "lastName": "Ek > Lind",
    "hasSmsNotification": True,
    "hasMailNotification": False,
    "relatives": [{"subjectOfCareId": "197001011234", "relativeType": "Parent"}, {"subjectOfCareId": None}],
    "emptyList": [],
}
ANSWERS = [
    Answer("OK", None, FIELDS, is_active=True),
    Answer("INFO", "Inget konto & <inget> mer", None),
    Answer("OK", None, {}, unregister_code=""),
    Answer("ERROR", "x", None, agent_name="Anna Ö", agent_type="Vårdnadshavare", rule_ids=("MC-04",)),
    Answer("OK", None, {"city": "𝔘nicode ✓"}, is_active=False),
]


@pytest.mark.parametrize("interaction", ["GetUserProfile", "GetSubjectOfCare", "GetUserProfileByAgent"])
@pytest.mark.parametrize("answer", ANSWERS)
def test_the_written_answer_is_what_lxml_writes(interaction, answer):
    contract = builtin_bundle()[interaction]
    written = soap.response(contract, answer, "userProfile")
    assert isinstance(written, TextAnswer)
    assert written.text == etree.tostring(soap.tree(contract, answer, "userProfile"), encoding="UTF-8")
    assert written.outline.findtext("{*}resultCode") == answer.result_code


@pytest.mark.parametrize("text", ["rad 1\r\nrad 2", "bell\x07"])
def test_a_value_lxml_writes_otherwise_leaves_the_answer_to_lxml(text):
    contract = builtin_bundle()["GetUserProfile"]
    answer = Answer("OK", None, {"firstName": "Anna", "city": text}, is_active=True)
    if "\x07" in text:  # lxml refuses it: the producer's failure becomes a Server fault, as before
        with pytest.raises(ValueError):
            soap.response(contract, answer, "userProfile")
        return
    built = soap.response(contract, answer, "userProfile")
    assert isinstance(built, etree._Element)
    assert b"&#13;" in etree.tostring(built)
