"""The built-in PU contract loads as the TKB v5.1 publishes it: namespaces, SOAPAction,
major version, the LogicalAddress header, and PersonRecordType's elements in order."""

from __future__ import annotations

import xmlschema

import contracts
from contracts.bundle import ContractBundle

RESPONDER = "urn:riv:strategicresourcemanagement:persons:person:GetPersonsForProfileResponder:5"
CORE = "urn:riv:strategicresourcemanagement:persons:person:5"

# TKB 7.1.5, in order.
PERSON_RECORD = [
    "personalIdentity",
    "identityLevel",
    "identityLevelDate",
    "gender",
    "protectedPersonIndicator",
    "testIndicator",
    "primaryIdentity",
    "version",
    "name",
    "linkedIdentity",
    "referredPersonalIdentities",
    "birth",
    "populationRegistrationLocality",
    "populationRegistrationRecord",
    "addressInformation",
    "contactInformation",
    "contactPerson",
    "confirmedIdentity",
    "administrativeInformation",
    "deregistration",
    "maritalStatus",
    "immigration",
    "citizenship",
    "relationship",
    "coOrdinationNumberData",
    "personalIdentityStatus",
    "updatePersonActor",
    "updatePersonContactInformationActor",
    "attachment",
    "optoutPaperNotification",
    "protectedPopulationRecord",
]


def test_bundle_reads_the_interaction_from_the_wsdl():
    contract = ContractBundle(contracts.BUILTIN_DIR)["GetPersonsForProfile"]
    assert contract.major_version == "5"
    assert contract.soap_action == f"{RESPONDER}:GetPersonsForProfile"
    assert (
        contract.wsdl_namespace == "urn:riv:strategicresourcemanagement:persons:person:GetPersonsForProfile:5:rivtabp21"
    )
    assert contract.request_element == f"{{{RESPONDER}}}GetPersonsForProfile"
    assert contract.response_element == f"{{{RESPONDER}}}GetPersonsForProfileResponse"
    assert contract.declares_logical_address_header


def _children(schema, type_name: str) -> list[tuple[str, int, int | None]]:
    xsd_type = schema.maps.types[f"{{{CORE}}}{type_name}"]
    return [
        (e.local_name, e.min_occurs, e.max_occurs)
        for e in xsd_type.content.iter_elements()
        if hasattr(e, "local_name") and e.local_name
    ]


def test_schema_names_order_and_cardinalities_follow_the_tkb():
    contract = ContractBundle(contracts.BUILTIN_DIR)["GetPersonsForProfile"]
    schema = xmlschema.XMLSchema10(str(contract.responder_xsd), allow="local")
    request = schema.elements["GetPersonsForProfile"].type.content
    assert [(e.local_name, e.min_occurs, e.max_occurs) for e in request.iter_elements() if e.local_name] == [
        ("personId", 1, None),
        ("profile", 1, 1),
        ("ignoreReferredIdentity", 1, 1),
    ]
    assert [name for name, _, _ in _children(schema, "PersonRecordType")] == PERSON_RECORD
    assert _children(schema, "RequestedPersonRecordType") == [
        ("requestedPersonalIdentity", 1, 1),
        ("personRecord", 0, 1),
    ]
    required = {name for name, low, _ in _children(schema, "PersonRecordType") if low == 1}
    assert required == {"personalIdentity", "protectedPersonIndicator", "testIndicator", "primaryIdentity"}
    profiles = schema.maps.types[f"{{{CORE}}}LookupProfileType"].enumeration
    assert profiles == [f"P{n}" for n in range(1, 11)]
