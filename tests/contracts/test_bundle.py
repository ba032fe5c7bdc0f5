"""ContractBundle reads everything the transport needs from our authored files: the
SOAPAction, request and response elements and responder schema of each interaction, and
an official bundle passed with --contracts replaces them path for path."""

from __future__ import annotations

import pytest
from lxml import etree

from contracts import BUILTIN_DIR
from contracts.bundle import ContractBundle, builtin_bundle

INBOX = "urn:mvk:crm:casemanagement:inbox"
PROFILE = "urn:mvk:itintegration:userprofile"
EXPECTED = {
    "AddMessage": (INBOX, "TD_INBOX_2_0"),
    "GetUserProfile": (PROFILE, "TD_USERPROFILE_2_0"),
    "GetSubjectOfCare": (PROFILE, "TD_USERPROFILE_2_0"),
    "GetUserProfileByAgent": (PROFILE, "TD_USERPROFILE_2_0"),
}


@pytest.mark.parametrize("interaction", EXPECTED)
def test_builtin_bundle_reads_the_interaction_from_the_authored_files(interaction):
    domain, folder = EXPECTED[interaction]
    contract = ContractBundle()[interaction]
    responder = f"{domain}:{interaction}Responder:2"
    assert contract.major_version == "2"
    assert contract.soap_action == f"{responder}:{interaction}"
    assert contract.request_element == f"{{{responder}}}{interaction}"
    assert contract.response_element == f"{{{responder}}}{interaction}Response"
    assert contract.wsdl_namespace == f"{domain}:{interaction}:2:rivtabp21"
    assert contract.relative(contract.wsdl_path) == (
        f"{folder}/schemas/interactions/{interaction}/{interaction}Interaction_2.0_RIVTABP21.wsdl"
    )
    assert contract.responder_xsd == BUILTIN_DIR / folder / "schemas/interactions" / interaction / (
        f"{interaction}Responder_2.0.xsd"
    )
    assert not contract.declares_logical_address_header


def test_builtin_schema_accepts_a_personnummer_and_rejects_a_malformed_one():
    schema = ContractBundle()["GetSubjectOfCare"].schema
    ns = f"{PROFILE}:GetSubjectOfCareResponder:2"

    def request(value):
        return etree.fromstring(
            f'<GetSubjectOfCare xmlns="{ns}"><subjectOfCare>{value}</subjectOfCare></GetSubjectOfCare>'.encode()
        )

    assert schema.validate(request("191212121212"))
    assert schema.validate(request("197010632391"))  # samordningsnummer: day + 60
    assert not schema.validate(request("19121212-1212"))
    assert not schema.validate(request("^191212121212$"))


def test_authored_files_are_not_copies_of_the_official_ones():
    """Our files carry our own header and documentation, not the Apache header block."""
    for path in list(BUILTIN_DIR.glob("TD_INBOX_2_0/**/*.*")) + list(BUILTIN_DIR.glob("TD_USERPROFILE_2_0/**/*.*")):
        text = path.read_text("utf-8")
        assert "Kallelse Testbed" in text, path
        assert "Licensed to the Apache Software Foundation" not in text, path
        assert "Förvaltas av" not in text, path


def test_an_official_bundle_overrides_path_for_path(official):
    bundle = builtin_bundle(official)
    for interaction in EXPECTED:
        contract = bundle[interaction]
        assert contract.root == official
        assert contract.wsdl_path.is_relative_to(official)
        builtin = ContractBundle()[interaction]
        assert contract.relative(contract.wsdl_path) == builtin.relative(builtin.wsdl_path)
        assert contract.soap_action == builtin.soap_action
        assert contract.request_element == builtin.request_element
    # Files the official bundle lacks are still found in the built-in folder.
    relative = "TD_INBOX_2_0/schemas/core_components/mvk_crm_casemanagement_inbox_2.0.xsd"
    assert bundle.file(relative) == official / relative
    assert bundle.file("../contracts-official/x.xsd") is None
