"""The verification must fail when our contracts drift: a copy of the authored bundle
with one deliberate change is compared with the official one, and both the component
check and (where the change shows on the wire) the corpus must catch it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from contracts import BUILTIN_DIR
from contracts.report import render
from contracts.verify import compare, diff_descriptions
from tests.support import ROOT

INBOX_CORE = "TD_INBOX_2_0/schemas/core_components/mvk_crm_casemanagement_inbox_2.0.xsd"
PROFILE_CORE = "TD_USERPROFILE_2_0/schemas/core_components/mvk_itintegration_userprofile_2.0.xsd"
ADD_MESSAGE = "TD_INBOX_2_0/schemas/interactions/AddMessage/AddMessageResponder_2.0.xsd"
ADD_MESSAGE_WSDL = "TD_INBOX_2_0/schemas/interactions/AddMessage/AddMessageInteraction_2.0_RIVTABP21.wsdl"
BY_AGENT = "TD_USERPROFILE_2_0/schemas/interactions/GetUserProfileByAgent/GetUserProfileByAgentResponder_2.0.xsd"

# (file, text to replace, replacement, component that must be named, corpus must disagree)
ALTERATIONS = {
    "sourceSystem made required": (
        ADD_MESSAGE,
        '<xs:element name="sourceSystem" type="xs:string" minOccurs="0">',
        '<xs:element name="sourceSystem" type="xs:string">',
        "AddMessageType/sequence[3]",
        "AddMessage",
    ),
    "enumeration value Embedded dropped": (
        INBOX_CORE,
        '<xs:enumeration value="Embedded"/>',
        "",
        "UrlLinkTypeType",
        "AddMessage",
    ),
    "relatives limited to one item": (
        PROFILE_CORE,
        'name="items" type="tns:RelativeType" minOccurs="0" maxOccurs="unbounded"',
        'name="items" type="tns:RelativeType" minOccurs="0" maxOccurs="1"',
        "RelativeListType",
        "GetSubjectOfCare",
    ),
    "isActive typed as string": (
        BY_AGENT,
        '<xs:element name="isActive" type="xs:boolean" minOccurs="0">',
        '<xs:element name="isActive" type="xs:string" minOccurs="0">',
        "isActive",
        "GetUserProfileByAgent",
    ),
    "pattern widened beyond the anchor fix": (
        PROFILE_CORE,
        '<xs:pattern value="[0-9]{8}[0-9pPtTfF][0-9]{3}"/>',
        '<xs:pattern value="[0-9]{8}[0-9pPtTfFxX][0-9]{3}"/>',
        "SubjectOfCareIdType",
        None,
    ),
    "SOAPAction changed": (
        ADD_MESSAGE_WSDL,
        'soapAction="urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2:AddMessage"',
        'soapAction="urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2:addMessage"',
        "operation AddMessage",
        None,
    ),
}


def authored_copy(tmp_path):
    copy = tmp_path / "authored"
    shutil.copytree(BUILTIN_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def altered_copy(tmp_path, file, old, new):
    copy = authored_copy(tmp_path)
    target = copy / file
    text = target.read_text("utf-8")
    assert text.count(old) == 1, f"alteration does not apply to {file}: {old!r}"
    target.write_text(text.replace(old, new), "utf-8")
    return copy


@pytest.mark.parametrize("name", ALTERATIONS)
def test_a_deliberate_change_is_detected(official, tmp_path, name):
    file, old, new, component, interaction = ALTERATIONS[name]
    report = compare(official, altered_copy(tmp_path, file, old, new), documents=300, corpus=bool(interaction))
    assert not report.ok
    named = [d for d in report.problems if d.file == file and component in d.component]
    assert named, "\n".join(map(str, report.problems))
    if interaction:
        corpus = {c.interaction: c for c in report.corpus}[interaction]
        assert corpus.disagreements, f"the corpus did not notice {name}"
    assert "RESULT: DIFFERENT" in render(report)


def test_a_missing_authored_file_is_reported(official, tmp_path):
    copy = authored_copy(tmp_path)
    (copy / BY_AGENT).unlink()
    report = compare(official, copy, corpus=False)
    assert report.missing == [BY_AGENT]
    assert not report.ok


def test_keeping_the_anchored_pattern_is_not_accepted(official, tmp_path):
    """An authored schema that copies the defect is wire-identical but still wrong."""
    copy = altered_copy(
        tmp_path,
        INBOX_CORE,
        '<xs:pattern value="[0-9]{8}[0-9pPtTfF][0-9]{3}"/>',
        '<xs:pattern value="^[0-9]{8}[0-9pPtTfF][0-9]{3}$"/>',
    )
    report = compare(official, copy, documents=50)
    assert [d.prop for d in report.problems] == ["pattern keeps the literal ^...$ defect"]
    assert not report.ok


def test_only_anchor_removal_counts_as_the_allowed_deviation():
    before = {"type {urn:x}T": {"pattern": ["^[0-9]{3}$"]}}
    assert [d.allowed for d in diff_descriptions("f.xsd", before, {"type {urn:x}T": {"pattern": ["[0-9]{3}"]}})] == [
        True
    ]
    assert [d.allowed for d in diff_descriptions("f.xsd", before, {"type {urn:x}T": {"pattern": ["[0-9]{4}"]}})] == [
        False
    ]
    assert [d.allowed for d in diff_descriptions("f.xsd", before, {"type {urn:x}T": {"pattern": ["^[0-9]{3}"]}})] == [
        False
    ]


def test_cli_exits_non_zero_on_a_difference(official, tmp_path):
    file, old, new, *_ = ALTERATIONS["enumeration value Embedded dropped"]
    copy = altered_copy(tmp_path, file, old, new)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "contracts",
            "verify",
            "--official",
            str(official),
            "--authored",
            str(copy),
            "--documents",
            "100",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "UrlLinkTypeType" in run.stdout
    assert "RESULT: DIFFERENT" in run.stdout
