"""PU-tjänsten GetPersonsForProfile 5.0 over real HTTP against a seeded simulator: the
producer rules of the TKB (#1 one answer per identity, #2 ignoreReferredIdentity, #3
protected persons get P1 only, #4 testIndicator), the 500-identity limit, the profile
contents of TKB chapter 8, and faults for bad requests.

The demo persons used are listed in docs/population.md."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from simulator.population.domain import Citizen
from simulator.population.personnummer import with_check_digit
from simulator.population.seed import personnummer
from simulator.pu.domain import OID_PERSONNUMMER, OID_RESERVNUMMER, OID_SAMORDNINGSNUMMER
from tests.pu.wire import CONTRACT, CORE, citizen_store, fault, lookup, paths, post, record, request_body, text

TOLVAN = "191212121212"  # adult, SMS, opted out of paper (CH-01)
ANNA = personnummer(dt.date(1980, 1, 1), 980)  # adult, e-mail, wants paper (CH-02)
JONAS = personnummer(dt.date(1970, 1, 1), 981)
JONAS_RESERVE = "19700101T915"
KIM_RESERVE = "19880606P962"
LOVA_SEKRETESS = personnummer(dt.date(1977, 7, 7), 984)
MAJA_SKYDDAD = personnummer(dt.date(1981, 11, 11), 986)
NILS_DECEASED = personnummer(dt.date(1940, 4, 4), 981)
OLGA_EMIGRATED = personnummer(dt.date(1965, 9, 9), 982)
INES_SAMORDNING = personnummer(dt.date(1992, 3, 14), 984, samordning=True)
UNKNOWN = with_check_digit("19010101001")  # valid number, nobody in the population


def _identities(answers) -> list[str]:
    return [text(a, "requestedPersonalIdentity/extension") for a in answers]


# ---------------------------------------------------------------- rule #1: one answer per identity


def test_one_answer_per_requested_identity_in_request_order_with_duplicates(simulator):
    asked = [ANNA, UNKNOWN, TOLVAN, ANNA]
    answers = lookup(simulator, asked)
    assert _identities(answers) == asked
    found = [text(a, "personRecord/personalIdentity/extension") for a in answers]
    assert found == [ANNA, None, TOLVAN, ANNA]


def test_unknown_identity_is_answered_without_a_person_record(simulator):
    (answer,) = lookup(simulator, [UNKNOWN])
    assert text(answer, "requestedPersonalIdentity/root") == OID_PERSONNUMMER
    assert answer.find(f"{{{CORE}}}personRecord") is None


@pytest.mark.parametrize(
    "root,extension",
    [
        (OID_PERSONNUMMER, TOLVAN[:11] + "3"),  # wrong check digit
        (OID_SAMORDNINGSNUMMER, TOLVAN),  # a personnummer under the samordningsnummer root
        (OID_PERSONNUMMER, INES_SAMORDNING),  # and the other way round
        (OID_PERSONNUMMER, JONAS_RESERVE),  # a reservnummer under the personnummer root
        ("1.2.3.4", TOLVAN),  # unknown identity kind
        (OID_PERSONNUMMER, None),  # no extension at all
        (OID_PERSONNUMMER, "tolvan"),
    ],
    ids=["check-digit", "pnr-as-snr", "snr-as-pnr", "reserve-as-pnr", "unknown-root", "no-extension", "text"],
)
def test_identity_that_matches_no_record_gets_an_empty_answer_not_an_error(simulator, root, extension):
    answers = lookup(simulator, [(root, extension), TOLVAN])
    assert answers[0].find(f"{{{CORE}}}personRecord") is None
    assert text(answers[1], "personRecord/personalIdentity/extension") == TOLVAN


def test_500_identities_are_answered_one_by_one(simulator):
    asked = [TOLVAN, UNKNOWN] * 250
    answers = lookup(simulator, asked, profile="P1")
    assert len(answers) == 500
    assert _identities(answers) == asked


def test_501_identities_are_refused_with_a_client_fault_naming_the_limit(simulator):
    code, message = fault(post(simulator, request_body([TOLVAN] * 501)))
    assert code == "soap:Client"
    assert "personId" in message and "500" in message and "501" in message


# ---------------------------------------------------------------- profiles (TKB chapter 8)


def _profile_paths(server, pnr: str, profile: str) -> set[str]:
    return paths(record(server, pnr, profile))


def test_profiles_grow_from_p1_to_p5_as_chapter_8_lists(simulator):
    shown = {p: _profile_paths(simulator, TOLVAN, p) for p in ("P1", "P2", "P3", "P4", "P5")}
    p1_core = {
        "personalIdentity/root",
        "personalIdentity/extension",
        "gender",
        "protectedPersonIndicator",
        "testIndicator",
        "primaryIdentity",
        "name/givenName",
        "name/surname",
        "birth/dateOfBirth/value",
        "populationRegistrationLocality/countyCode",
        "protectedPopulationRecord",
    }
    assert p1_core <= shown["P1"]
    assert (
        not {
            "addressInformation",
            "populationRegistrationLocality/municipalityCode",
            "contactInformation",
            "optoutPaperNotification",
        }
        & shown["P1"]
    )
    added = {
        "P2": {
            "addressInformation/residentialAddress/postalAddress1",
            "addressInformation/residentialAddress/city",
            "addressInformation/residentialAddress/postalCode",
            "populationRegistrationLocality/municipalityCode",
        },
        "P3": {
            "contactInformation/contactType",
            "contactInformation/value",
            "contactInformation/digitalNotification",
            "optoutPaperNotification",
        },
        "P4": {"birth/placeOfBirthSweden/birthCountyCode"},
        "P5": {"populationRegistrationRecord/historicalRecords"},
    }
    for lower, higher in (("P1", "P2"), ("P2", "P3"), ("P3", "P4"), ("P4", "P5")):
        assert shown[lower] < shown[higher], higher
        assert added[higher] <= shown[higher] - shown[lower], higher


def test_p2_address_is_the_registered_one(simulator):
    tolvan = citizen_store(simulator).get(TOLVAN)
    person = record(simulator, TOLVAN, "P2")
    assert text(person, "addressInformation/residentialAddress/postalAddress1") == tolvan.address.street
    assert text(person, "addressInformation/residentialAddress/postalCode") == str(int(tolvan.address.postal_code))
    assert text(person, "addressInformation/residentialAddress/city") == tolvan.address.city


def test_p3_contact_information_carries_the_notification_choices(simulator):
    person = record(simulator, TOLVAN, "P3")
    contacts = {text(c, "contactType"): c for c in person.iterfind(f"{{{CORE}}}contactInformation")}
    assert text(contacts["tel"], "digitalNotification") == "true"  # SMS on
    assert text(contacts["mail"], "digitalNotification") == "false"


@pytest.mark.parametrize("pnr,expected", [(TOLVAN, "true"), (ANNA, "false")])
def test_optout_paper_notification_is_shown_from_p3_up_only(simulator, pnr, expected):
    """LK-01: a consumer must ask P3 or higher to learn the citizen's paper choice."""
    for profile in ("P1", "P2"):
        assert text(record(simulator, pnr, profile), "optoutPaperNotification") is None, profile
    for profile in ("P3", "P4", "P5"):
        assert text(record(simulator, pnr, profile), "optoutPaperNotification") == expected, profile


@pytest.mark.parametrize("profile", ["P6", "P10"])
def test_reserved_profiles_are_a_logical_error_answered_as_client_fault(simulator, profile):
    code, message = fault(post(simulator, request_body([TOLVAN], profile=profile)))
    assert code == "soap:Client"
    assert "profile" in message and profile in message and "P1-P5" in message


# ---------------------------------------------------------------- rule #3: protected persons


@pytest.mark.parametrize(
    "pnr,flag", [(LOVA_SEKRETESS, "protectedPersonIndicator"), (MAJA_SKYDDAD, "protectedPopulationRecord")]
)
def test_protected_person_is_answered_with_p1_content_whatever_profile_is_asked(simulator, pnr, flag):
    """CH-10: no address, no contact details, no paper choice leave PU for a protected person."""
    p1 = record(simulator, pnr, "P1")
    assert text(p1, flag) == "true"
    for profile in ("P2", "P3", "P4", "P5"):
        person = record(simulator, pnr, profile)
        assert paths(person) == paths(p1), profile
        assert person.find(f"{{{CORE}}}addressInformation") is None
        assert person.find(f"{{{CORE}}}contactInformation") is None


def test_protected_record_still_names_the_person(simulator):
    maja = citizen_store(simulator).get(MAJA_SKYDDAD)
    person = record(simulator, MAJA_SKYDDAD, "P5")
    assert text(person, "name/surname") == maja.surname
    assert text(person, "protectedPersonIndicator") == "false"


# ---------------------------------------------------------------- rule #2: referred identities


def test_reservnummer_is_answered_with_its_main_identity_unless_ignore_referred_identity(simulator):
    (followed,) = lookup(simulator, [JONAS_RESERVE], ignore_referred=False)
    assert text(followed, "requestedPersonalIdentity/extension") == JONAS_RESERVE
    assert text(followed, "requestedPersonalIdentity/root") == OID_RESERVNUMMER
    assert text(followed, "personRecord/personalIdentity/extension") == JONAS
    assert text(followed, "personRecord/primaryIdentity") == "true"

    own = record(simulator, JONAS_RESERVE, ignore_referred=True)
    assert text(own, "personalIdentity/extension") == JONAS_RESERVE
    assert text(own, "personalIdentity/root") == OID_RESERVNUMMER
    assert text(own, "primaryIdentity") == "false"
    assert text(own, "linkedIdentity/referredPersonalIdentity/extension") == JONAS
    assert text(own, "linkedIdentity/primaryIdentity") == "true"


def test_unlinked_reservnummer_is_its_own_primary_identity(simulator):
    for ignore in (False, True):
        person = record(simulator, KIM_RESERVE, ignore_referred=ignore)
        assert text(person, "personalIdentity/extension") == KIM_RESERVE
        assert text(person, "primaryIdentity") == "true"
        assert person.find(f"{{{CORE}}}linkedIdentity") is None


def test_reservnummer_linked_to_a_protected_person_is_limited_to_p1_even_on_its_own(simulator):
    """The protection of the main identity covers the reserve identity linked to it (TKB 4.1.3)."""
    reserve = "19770707F977"
    store = citizen_store(simulator)
    lova = store.get(LOVA_SEKRETESS)
    store.save(
        Citizen(
            personnummer=reserve,
            given_name=lova.given_name,
            surname=lova.surname,
            address=lova.address,
            linked_identity=LOVA_SEKRETESS,
            optout_paper=True,
        )
    )
    own = record(simulator, reserve, "P5", ignore_referred=True)
    assert text(own, "personalIdentity/extension") == reserve
    assert own.find(f"{{{CORE}}}addressInformation") is None
    assert text(own, "optoutPaperNotification") is None
    followed = record(simulator, reserve, "P5", ignore_referred=False)
    assert text(followed, "personalIdentity/extension") == LOVA_SEKRETESS
    assert text(followed, "protectedPersonIndicator") == "true"


# ---------------------------------------------------------------- rule #4 and register facts


def test_every_simulated_person_is_marked_as_test_data(simulator):
    everyone = [c.personnummer for c in citizen_store(simulator).all()][:500]
    answers = lookup(simulator, everyone, profile="P1")
    values = {text(a, "personRecord/testIndicator") for a in answers}
    assert values == {"true"}
    assert len(everyone) >= 150


def test_deceased_person_carries_the_deregistration(simulator):
    """CH-11 reads this: nothing is sent to a deceased person."""
    nils = citizen_store(simulator).get(NILS_DECEASED)
    person = record(simulator, NILS_DECEASED, "P1")
    assert text(person, "deregistration/deregistrationReasonCode") == "AV"
    assert text(person, "deregistration/deregistrationDate/value") == nils.deceased_date.isoformat()
    assert text(person, "deregistration/deregistrationDate/format") == "YYYY-MM-DD"


def test_emigrated_person_is_deregistered_without_date(simulator):
    person = record(simulator, OLGA_EMIGRATED, "P3")
    assert text(person, "deregistration/deregistrationReasonCode") == "UV"


def test_samordningsnummer_person_has_identity_status_and_no_registration_locality(simulator):
    """CH-05 reads the identity kind from the root."""
    person = record(simulator, INES_SAMORDNING, "P2")
    assert text(person, "personalIdentity/root") == OID_SAMORDNINGSNUMMER
    assert text(person, "personalIdentityStatus/identityStatus") == "AKTIVT"
    assert person.find(f"{{{CORE}}}populationRegistrationLocality") is None
    assert text(person, "birth/dateOfBirth/value") == "1992-03-14"


# ---------------------------------------------------------------- technical errors


@pytest.mark.parametrize(
    "body,constraint",
    [
        (request_body([TOLVAN]).replace("<profile>P3</profile>", ""), "profile"),
        (request_body([TOLVAN]).replace("<profile>P3</profile>", "<profile>P0</profile>"), "P0"),
        (request_body([TOLVAN]).replace("<ignoreReferredIdentity>false", "<ignoreReferredIdentity>nej"), "nej"),
        (request_body([(OID_PERSONNUMMER, TOLVAN)]).replace(f"<core:root>{OID_PERSONNUMMER}</core:root>", ""), "root"),
        (request_body([]), "personId"),
    ],
    ids=["no-profile", "bad-profile", "bad-boolean", "no-root", "no-personId"],
)
def test_schema_invalid_request_is_a_client_fault_naming_the_problem(simulator, body, constraint):
    code, message = fault(post(simulator, body))
    assert code == "soap:Client"
    assert "Schema validation failed" in message and constraint in message


def test_wrong_soap_action_is_a_client_fault(simulator):
    code, message = fault(post(simulator, request_body([TOLVAN]), action="urn:wrong"))
    assert code == "soap:Client" and CONTRACT.soap_action in message


def test_wsdl_is_served_with_the_logical_address_header(simulator):
    answer = requests.get(f"{simulator.url}/pu/GetPersonsForProfile/5/rivtabp21?wsdl", timeout=10)
    assert answer.status_code == 200
    assert CONTRACT.soap_action in answer.text
    assert 'part="LogicalAddress"' in answer.text
    assert f"{simulator.url}/pu/GetPersonsForProfile/5/rivtabp21" in answer.text


# ---------------------------------------------------------------- citizens added through the control API


def test_citizens_added_through_the_control_api_are_answered_as_documented(simulator):
    """docs/population.md: the member -> PU element mapping, including a linked reservnummer."""
    main, reserve = with_check_digit("19850707983"), "19850707P983"
    created = requests.post(
        f"{simulator.url}/api/citizens",
        timeout=10,
        json={
            "personnummer": main,
            "given_name": "Sara Maria",
            "calling_name": "Maria",
            "surname": "Svensson-Lindqvist-Håkansson",
            "county_code": "06",
            "municipality_code": "80",
            "address": {"street": "Storgatan 1", "postal_code": "553 20", "city": "Jönköping", "care_of": "Berg"},
            "optout_paper": False,
            "account": {
                "exists": True,
                "active": True,
                "email_notification": True,
                "email": "sara@example.com",
                "phone": "036-123456",
            },
        },
    )
    assert created.status_code == 201, created.text
    linked = requests.post(
        f"{simulator.url}/api/citizens",
        timeout=10,
        json={"personnummer": reserve, "given_name": "Sara", "surname": "Svensson", "linked_identity": main},
    )
    assert linked.status_code == 201, linked.text

    person = record(simulator, reserve, "P3")
    assert text(person, "personalIdentity/extension") == main
    assert text(person, "name/givenNameIndicator") == "20"
    assert text(person, "name/notificationName") == "Maria Svensson-Lindqvist-Håkansson"
    assert text(person, "addressInformation/residentialAddress/careOf") == "Berg"
    assert text(person, "addressInformation/residentialAddress/postalCode") == "55320"
    assert text(person, "optoutPaperNotification") == "false"
    contacts = [
        (text(c, "contactType"), text(c, "value"), text(c, "digitalNotification"))
        for c in person.iterfind(f"{{{CORE}}}contactInformation")
    ]
    # TKB 6.1.12: the home number entered as 036-123456 is answered in E.164
    assert contacts == [("tel", "+4636123456", None), ("mail", "sara@example.com", "true")]
    own = record(simulator, reserve, "P1", ignore_referred=True)
    assert text(own, "linkedIdentity/referredPersonalIdentity/extension") == main


def test_control_api_refuses_a_link_from_a_personnummer(simulator):
    answer = requests.post(
        f"{simulator.url}/api/citizens",
        timeout=10,
        json={
            "personnummer": with_check_digit("19850707985"),
            "given_name": "A",
            "surname": "B",
            "linked_identity": TOLVAN,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["field"] == "linked_identity"
