"""``kallelse contracts verify`` and ``kallelse contracts list`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT


def kallelse(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def test_verify_against_the_official_bundle_exits_zero_and_names_the_deviation(official):
    run = kallelse("contracts", "verify", "--official", str(official), "--documents", "500")
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "RESULT: EQUIVALENT" in out
    assert "Allowed deviation (the only one permitted): SubjectOfCareIdType pattern" in out
    assert "official ['^[0-9]{8}[0-9pPtTfF][0-9]{3}$']" in out
    assert "authored ['[0-9]{8}[0-9pPtTfF][0-9]{3}']" in out
    for interaction in ("AddMessage", "GetSubjectOfCare", "GetUserProfile", "GetUserProfileByAgent"):
        assert f"{interaction:<24} valid 500: 500 accepted by both | mutated 500:" in out
    assert "disagreements 1" not in out
    assert "rejects the personnummer 191212121212" in out


def test_verify_one_contract_folder(official):
    run = kallelse("contracts", "verify", "--official", str(official / "TD_INBOX_2_0"), "--documents", "50")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 official files, 3 authored counterparts" in run.stdout


def test_verify_an_empty_folder_fails(tmp_path):
    run = kallelse("contracts", "verify", "--official", str(tmp_path))
    assert run.returncode == 1
    assert "no .xsd or .wsdl files" in run.stdout


def test_list_prints_the_interactions_with_their_endpoints():
    run = kallelse("contracts", "list", timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "AddMessage 2\n    endpoint path    /inbox/AddMessage/2/rivtabp21\n" in out, out
    assert "    SOAPAction       urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2:AddMessage\n" in out
    assert ("    request element  {urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2}AddMessage\n") in out
    assert "GetUserProfile 2\n    endpoint path    /userprofile/GetUserProfile/2/rivtabp21\n" in out, out
    assert "GetSubjectOfCare 2\n" in out and "GetUserProfileByAgent 2\n" in out
