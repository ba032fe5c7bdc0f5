"""PU-tjänsten's full person record per profile (TKB v5.1 chapter 8) over real HTTP
against the seeded population: every group of the GetPersonsForProfile field table
(7.1.5) that the population has data for, shown from the profile chapter 8 allows and
left out below it; every answer for every seeded person and every profile valid against
the served schema; phone numbers in E.164 (6.1.12); server-fault log ids as UUIDs
(4.3.1.2). The demo persons are listed in docs/population.md."""

from __future__ import annotations

import re

import pytest
import requests
import sqlalchemy as sa

from simulator.population import register_demo as demo
from simulator.population.personnummer import with_check_digit
from simulator.population.store import citizens
from tests.pu.wire import CONTRACT, CORE, citizen_store, fault, lookup, paths, post, record, request_body, text

PROFILES = ("P1", "P2", "P3", "P4", "P5")
KIM_RESERVE = "19880606P962"
OLGA_EMIGRATED = "196509099823"
LOVA_SEKRETESS = "197707079849"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("ignore_referred", [False, True], ids=["follow", "ignore"])
def test_every_seeded_person_in_every_profile_is_schema_valid_TKB_7_1_5(simulator, profile, ignore_referred):
    """The contract's schema (7.1.5) holds for every answer: ``lookup`` validates the
    response element against the served XSD; every seeded person is asked at once."""
    everyone = [c.personnummer for c in citizen_store(simulator).all()]
    assert len(everyone) <= 500
    answers = lookup(simulator, everyone, profile=profile, ignore_referred=ignore_referred)
    assert all(a.find(f"{{{CORE}}}personRecord") is not None for a in answers)


def create(simulator, pnr: str, **members) -> dict:
    """A citizen through the control API, as a tester makes one; the JSON it answers."""
    body = {"personnummer": pnr, "given_name": "A", "surname": "B", **members}
    created = requests.post(f"{simulator.url}/api/citizens", json=body, timeout=10)
    assert created.status_code == 201, created.text
    return created.json()


def first_profile(pnr: str, path: str, simulator, ignore_referred: bool = False) -> str | None:
    """The lowest profile whose answer has ``path``; it must stay in every higher one."""
    shown = [p for p in PROFILES if path in paths(record(simulator, pnr, p, ignore_referred))]
    if shown:
        assert shown == list(PROFILES[PROFILES.index(shown[0]) :]), (path, shown)
    return shown[0] if shown else None


# (person, element path, the first profile that shows it): TKB chapter 8's table.
CHAPTER_8 = [
    (demo.SVEN, "version", "P1"),
    (demo.ALEX_NEW, "referredPersonalIdentities/referredPersonalIdentity/extension", "P1"),
    (demo.ALEX_OLD, "referredPersonalIdentities/referredPersonalIdentityStatus", "P1"),
    (demo.MIRA_SNR, "identityLevel", "P1"),
    (demo.MIRA_SNR, "personalIdentityStatus/identityStatusCause", "P1"),
    (demo.HANNA, "populationRegistrationLocality/populationRegistrationDate/value", "P2"),
    (demo.HANNA, "addressInformation/specialPostalAddress/postalAddress1", "P2"),
    (demo.HANNA, "addressInformation/district/districtCode", "P2"),
    (OLGA_EMIGRATED, "addressInformation/addressAbroad/countryCode", "P2"),
    (KIM_RESERVE, "confirmedIdentity/typeOfIdentification", "P2"),
    (KIM_RESERVE, "administrativeInformation/categoryOfPerson", "P2"),
    (KIM_RESERVE, "updatePersonActor/id/extension", "P3"),
    (demo.OLA, "contactPerson/contactRelationshipType", "P3"),
    (demo.OLA, "contactPerson/contactPersonContactInformation/value", "P3"),
    (demo.OLA, "updatePersonContactInformationActor/id/extension", "P3"),
    (demo.OLA, "birth/birthAbroad/countryOfBirth", "P4"),
    (demo.OLA, "immigration/immigrationDate/value", "P4"),
    (demo.OLA, "immigration/immigrationIdentity/country", "P4"),
    (demo.OLA, "citizenship/citizenshipCountryCode", "P4"),
    (demo.SVEN, "maritalStatus/maritalStatusCode", "P4"),
    (demo.SVEN, "relationship/relationshipType", "P4"),
    (demo.SVEN, "relationship/name/givenName", "P4"),
    (demo.HANNA, "populationRegistrationRecord/historicalRecords/historicalAddress/city", "P5"),
    (demo.HANNA, "populationRegistrationRecord/historicalRecords/populationRegistrationLocality/countyCode", "P5"),
]


@pytest.mark.parametrize(
    "pnr,path,profile", CHAPTER_8, ids=[f"{p}-{path.split('/')[0]}-{path.split('/')[-1]}" for _, path, p in CHAPTER_8]
)
def test_each_group_first_shows_in_the_profile_chapter_8_gives_it_TKB_8(simulator, pnr, path, profile):
    ignore = pnr == KIM_RESERVE  # Kim's reservnummer is unlinked: its own record either way
    assert first_profile(pnr, path, simulator, ignore) == profile


def test_relationships_name_guardians_children_and_spouse_TKB_6_1_48(simulator):
    person = record(simulator, demo.SVEN, "P4")
    found = {
        text(r, "relationshipId/personalIdentity/extension"): (text(r, "relationshipType"), text(r, "name/givenName"))
        for r in person.iterfind(f"{{{CORE}}}relationship")
    }
    assert found == {demo.SARA: ("M", "Sara"), demo.SIXTEN: ("B", "Sixten"), demo.SIRI: ("B", "Siri")}
    child = record(simulator, demo.SIRI, "P4")
    guardians = {
        text(r, "relationshipId/personalIdentity/extension") for r in child.iterfind(f"{{{CORE}}}relationship")
    }
    assert guardians == {demo.SVEN, demo.SARA}
    assert {text(r, "relationshipType") for r in child.iterfind(f"{{{CORE}}}relationship")} == {"V"}


def test_custody_ends_on_the_18th_birthday_TKB_6_1_48(simulator):
    """relationshipToDate: "Datum för avslutad vårdnad"."""
    parent, grown = with_check_digit("19700102980"), with_check_digit("20000101980")
    for pnr, kind, other in ((parent, "child", grown), (grown, "guardian", parent)):
        create(simulator, pnr, relations=[{"personnummer": other, "kind": kind, "since": "2000-01-01"}])
    person = record(simulator, parent, "P4")
    assert text(person, "relationship/relationshipToDate/value") == "2018-01-01"
    assert text(person, "relationship/relationshipFromDate/value") == "2000-01-01"


def test_referred_identities_link_a_changed_personnummer_both_ways_TKB_6_1_28(simulator):
    old, new = record(simulator, demo.ALEX_OLD, "P1"), record(simulator, demo.ALEX_NEW, "P1")
    assert text(old, "personalIdentity/extension") == demo.ALEX_OLD  # the old number is its own record
    assert text(old, "referredPersonalIdentities/referredPersonalIdentity/extension") == demo.ALEX_NEW
    assert text(old, "referredPersonalIdentities/referredPersonalIdentityStatus") == "NY"
    assert text(new, "referredPersonalIdentities/referredPersonalIdentity/extension") == demo.ALEX_OLD
    assert text(new, "referredPersonalIdentities/referredPersonalIdentityStatus") == "AS"


def test_samordningsnummer_replaced_by_personnummer_TKB_6_1_50(simulator):
    snr = record(simulator, demo.MIRA_SNR, "P1")
    assert text(snr, "personalIdentityStatus/identityStatus") == "AVREGISTRERAT"
    assert text(snr, "personalIdentityStatus/identityStatusCause") == "ERSATT"
    assert text(snr, "referredPersonalIdentities/referredPersonalIdentity/root") == "1.2.752.129.2.1.3.1"
    assert text(snr, "referredPersonalIdentities/referredPersonalIdentity/extension") == demo.MIRA_PNR


def test_protected_person_shows_no_register_groups_beyond_p1_TKB_7_1_3_rule_3(simulator):
    """Rule #3 covers the new groups too: relations, history, contact persons, actors."""
    everything = paths(record(simulator, LOVA_SEKRETESS, "P5"))
    assert everything == paths(record(simulator, LOVA_SEKRETESS, "P1"))
    assert not {p for p in everything if p.split("/")[0] in ("relationship", "contactPerson", "maritalStatus")}


def test_contact_phone_numbers_are_e164_TKB_6_1_12(simulator):
    """6.1.12: a phone number is given per E.164, whatever the citizen typed."""
    pnr = with_check_digit("19850316981")
    created = create(
        simulator,
        pnr,
        account={"exists": True, "active": True, "sms_notification": True, "mobile": "070-174 06 50"},
        contact_persons=[{"relationship": "Granne", "phone": "0046 36 10 20 30"}],
    )
    assert created["account"]["mobile"] == "+46701740650"
    person = record(simulator, pnr, "P3")
    assert text(person, "contactInformation/value") == "+46701740650"
    assert text(person, "contactPerson/contactPersonContactInformation/value") == "+4636102030"
    for answer in lookup(simulator, [c.personnummer for c in citizen_store(simulator).all()], profile="P3"):
        for value in answer.iterfind(f".//{{{CORE}}}contactInformation[{{{CORE}}}contactType='tel']/{{{CORE}}}value"):
            assert re.fullmatch(r"\+[1-9][0-9]{6,14}", value.text), value.text


def test_server_fault_carries_a_uuid_log_id_and_no_personal_data_TKB_4_3_1_2(simulator):
    """4.3.1.2: a technical error must not carry personal data; its log id should be a UUID."""
    broken = with_check_digit("19850316982")
    with citizen_store(simulator).db.begin() as conn:
        conn.execute(sa.insert(citizens).values(personnummer=broken, seeded=False, data="{not json"))
    try:
        code, message = fault(post(simulator, request_body([broken])))
    finally:
        citizen_store(simulator).delete(broken)
    assert code == "soap:Server"
    assert UUID.search(message), message
    assert broken not in message and broken[:8] not in message


def test_served_schema_is_the_contract_bundle_one(simulator):
    """The schema the tests validate against is the one the endpoint serves."""
    served = requests.get(f"{simulator.url}/pu/GetPersonsForProfile/5/rivtabp21?wsdl", timeout=10)
    assert CONTRACT.soap_action in served.text


def test_main_identity_names_its_linked_reservnummer_TKB_6_1_27(simulator):
    """LinkedIdentityType ties a reserve identity to a personnummer in both records: the
    reservnummer names its main identity (primaryIdentity true), and the main identity
    names the reservnummer (primaryIdentity false) — also when rule #2 answers a
    reservnummer question with the main record."""
    jonas, reserve = with_check_digit("19700101981"), "19700101T915"
    for asked in (jonas, reserve):
        main = record(simulator, asked, "P1")
        assert text(main, "personalIdentity/extension") == jonas
        assert text(main, "linkedIdentity/referredPersonalIdentity/extension") == reserve
        assert text(main, "linkedIdentity/referredPersonalIdentity/root") == "1.2.752.74.9.1"
        assert text(main, "linkedIdentity/primaryIdentity") == "false"
        assert text(main, "primaryIdentity") == "true"
    own = record(simulator, reserve, "P1", ignore_referred=True)
    assert text(own, "linkedIdentity/referredPersonalIdentity/extension") == jonas
    assert text(own, "linkedIdentity/primaryIdentity") == "true"
