"""GetUserProfile 2.0 and GetSubjectOfCare 2.0 over real HTTP, one test per rule of the
TKB (Användarens profil PA5, §GetUserProfile and §GetSubjectOfCare "Regler") and per
decision docs/inbox.md records where the TKB is silent. Every answer is also checked
against the contract schema."""

from __future__ import annotations

import dataclasses

import pytest

from simulator.population.domain import Account
from tests.inbox import wire
from tests.inbox.wire import PROFILE_CORE, ask_profile, person, profile_namespace

C = f"{{{PROFILE_CORE}}}"


def answer(response, interaction):
    payload = wire.response_payload(response)
    wire.assert_schema_valid(interaction, payload)
    return payload


def user_profile(server, pnr):
    payload = answer(ask_profile(server.url, "GetUserProfile", pnr), "GetUserProfile")
    return payload, f"{{{profile_namespace('GetUserProfile')}}}"


def subject_of_care(server, pnr):
    payload = answer(ask_profile(server.url, "GetSubjectOfCare", pnr), "GetSubjectOfCare")
    return payload, f"{{{profile_namespace('GetSubjectOfCare')}}}"


def fields(element) -> dict:
    return {child.tag.split("}")[1]: child.text for child in element}


def save(server, citizen):
    wire.citizen_store(server).save(citizen)
    return citizen.personnummer


# --- GetUserProfile ----------------------------------------------------------------------


def test_getuserprofile_active_account_returns_the_listed_fields_and_is_active_true(server):
    """Regler: active account -> userProfile per the field rules, isActive=true; only the
    fields of the table (no municipalityCode, parishCode, relatives)."""
    pnr = save(server, person(wire.new_pnr(), given="Nils Gunnar Erik", calling="Gunnar"))
    payload, R = user_profile(server, pnr)
    assert payload.findtext(f"{R}resultCode") == "OK"
    assert payload.findtext(f"{R}isActive") == "true"
    assert payload.find(f"{R}resultText") is None
    profile = fields(payload.find(f"{R}userProfile"))
    assert list(profile) == [
        "subjectOfCareId",
        "firstName",
        "lastName",
        "gender",
        "streetAddress",
        "countyCode",
        "zip",
        "city",
        "phoneNumber",
        "mobilePhoneNumber",
        "email",
        "hasMailNotification",
        "hasSmsNotification",
    ]
    assert profile["subjectOfCareId"] == pnr
    assert profile["firstName"] == "Nils /Gunnar/ Erik"
    assert (profile["lastName"], profile["streetAddress"], profile["zip"], profile["city"], profile["countyCode"]) == (
        "Testsson",
        "Storgatan 1",
        "55111",
        "Jönköping",
        "06",
    )
    assert (profile["phoneNumber"], profile["mobilePhoneNumber"], profile["email"]) == (
        "036-123456",
        "+46701234567",
        "anna@example.se",
    )
    assert (profile["hasMailNotification"], profile["hasSmsNotification"]) == ("true", "true")


@pytest.mark.parametrize("sms,mail", [(True, False), (False, True), (False, False)])
def test_getuserprofile_notification_flags_follow_the_account(server, sms, mail):
    citizen = person(wire.new_pnr())
    citizen.account = dataclasses.replace(citizen.account, sms_notification=sms, email_notification=mail)
    payload, R = user_profile(server, save(server, citizen))
    profile = fields(payload.find(f"{R}userProfile"))
    assert (profile["hasSmsNotification"], profile["hasMailNotification"]) == (str(sms).lower(), str(mail).lower())


def test_getuserprofile_contact_details_only_when_the_citizen_entered_them(server):
    """ "Uppgifter om telefon, mobiltelefon, samt epost förutsätter att användaren har
    matat in dessa."""
    citizen = person(wire.new_pnr())
    citizen.account = Account(
        exists=True, active=True, sms_notification=False, email_notification=True, email="only@example.se"
    )
    payload, R = user_profile(server, save(server, citizen))
    profile = fields(payload.find(f"{R}userProfile"))
    assert "phoneNumber" not in profile and "mobilePhoneNumber" not in profile
    assert profile["email"] == "only@example.se"


def test_getuserprofile_without_account_is_info_without_profile_or_is_active(server):
    """Regler: no account -> no userProfile, no isActive, resultCode INFO + resultText."""
    payload, R = user_profile(server, save(server, person(wire.new_pnr(), account="none")))
    assert payload.findtext(f"{R}resultCode") == "INFO"
    assert "saknar konto" in payload.findtext(f"{R}resultText")
    assert payload.find(f"{R}userProfile") is None and payload.find(f"{R}isActive") is None


def test_getuserprofile_unknown_person_has_no_account_and_is_info(server):
    payload, R = user_profile(server, wire.new_pnr())
    assert payload.findtext(f"{R}resultCode") == "INFO"
    assert payload.find(f"{R}userProfile") is None and payload.find(f"{R}isActive") is None


def test_getuserprofile_inactive_account_returns_only_the_id_and_is_active_false(server):
    """Regler: inactive account -> userProfile with subjectOfCareId only, isActive=false, INFO."""
    pnr = save(server, person(wire.new_pnr(), account="inactive"))
    payload, R = user_profile(server, pnr)
    assert payload.findtext(f"{R}resultCode") == "INFO"
    assert "inte aktivt" in payload.findtext(f"{R}resultText")
    assert payload.findtext(f"{R}isActive") == "false"
    assert fields(payload.find(f"{R}userProfile")) == {"subjectOfCareId": pnr}


def test_getuserprofile_protected_identity_hides_name_and_address(server):
    """Decision (docs/inbox.md): the profile's person data come from the same register as
    GetSubjectOfCare's, so its protected-identity rule applies here too."""
    pnr = save(server, person(wire.new_pnr(), protected=True))
    payload, R = user_profile(server, pnr)
    profile = fields(payload.find(f"{R}userProfile"))
    assert (profile["firstName"], profile["lastName"]) == ("Personuppgift", "Skyddad")
    assert not {"streetAddress", "zip", "city"} & set(profile)
    assert profile["countyCode"] == "00"
    assert profile["hasSmsNotification"] == "true"


def test_getuserprofile_wrong_check_digit_is_error_MC_04(server):
    pnr = wire.new_pnr()
    payload, R = user_profile(server, pnr[:11] + str((int(pnr[11]) + 1) % 10))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert "kontrollsiffra" in payload.findtext(f"{R}resultText")
    assert payload.find(f"{R}userProfile") is None


# --- GetSubjectOfCare ------------------------------------------------------------------


def test_getsubjectofcare_returns_folkbokforing_fields_with_marked_calling_name(server):
    """Field rules: id, names, gender, address, county/municipality/parish codes; all given
    names with "/" around the tilltalsnamn."""
    pnr = save(server, person(wire.new_pnr(), given="Nils Gunnar Erik", calling="Gunnar"))
    payload, R = subject_of_care(server, pnr)
    assert payload.findtext(f"{R}resultCode") == "OK"
    subject = fields(payload.find(f"{R}subjectOfCare"))
    assert subject == {
        "subjectOfCareId": pnr,
        "firstName": "Nils /Gunnar/ Erik",
        "lastName": "Testsson",
        "gender": "Male" if int(pnr[10]) % 2 else "Female",
        "streetAddress": "Storgatan 1",
        "countyCode": "06",
        "municipalityCode": "0680",
        "parishCode": "068001",
        "zip": "55111",
        "city": "Jönköping",
    }


def test_getsubjectofcare_without_calling_name_returns_given_names_unmarked(server):
    pnr = save(server, person(wire.new_pnr(), given="Karin", calling=None))
    payload, R = subject_of_care(server, pnr)
    assert payload.findtext(f"{R}subjectOfCare/{C}firstName") == "Karin"


def test_getsubjectofcare_does_not_need_a_1177_account(server):
    pnr = save(server, person(wire.new_pnr(), account="none"))
    payload, R = subject_of_care(server, pnr)
    assert payload.findtext(f"{R}resultCode") == "OK"
    assert payload.findtext(f"{R}subjectOfCare/{C}subjectOfCareId") == pnr


def test_getsubjectofcare_protected_identity_no_address_fictitious_codes(server):
    """Regler: protected identity -> no streetAddress/zip/city, name "Personuppgift
    Skyddad", fictitious county/municipality/parish codes."""
    pnr = save(server, person(wire.new_pnr(), protected_population_record=True))
    response = ask_profile(server.url, "GetSubjectOfCare", pnr)
    payload, R = answer(response, "GetSubjectOfCare"), f"{{{profile_namespace('GetSubjectOfCare')}}}"
    subject = fields(payload.find(f"{R}subjectOfCare"))
    assert (subject["firstName"], subject["lastName"]) == ("Personuppgift", "Skyddad")
    assert not {"streetAddress", "zip", "city"} & set(subject)
    assert (subject["countyCode"], subject["municipalityCode"], subject["parishCode"]) == ("00", "0000", "000000")
    for secret in ("Storgatan", "55111", "Jönköping", "Anna", "Testsson", "0680"):
        assert secret not in response.text


def test_getsubjectofcare_protected_identity_in_stockholm_keeps_county_01(server):
    """Regler: "Undantaget är invånare i Stockholms län som fortfarande returnerar sin
    korrekta countyCode (01)"."""
    pnr = save(
        server, person(wire.new_pnr(), protected=True, county_code="01", municipality_code="0180", parish_code="018001")
    )
    payload, R = subject_of_care(server, pnr)
    subject = fields(payload.find(f"{R}subjectOfCare"))
    assert (subject["countyCode"], subject["municipalityCode"], subject["parishCode"]) == ("01", "0000", "000000")


def test_getsubjectofcare_deceased_has_unregister_code_1(server):
    pnr = save(server, person(wire.new_pnr(), deceased=True))
    payload, R = subject_of_care(server, pnr)
    assert payload.findtext(f"{R}unregisterCode") == "1"
    assert payload.findtext(f"{R}resultCode") == "OK"


def test_getsubjectofcare_living_person_has_blank_unregister_code(server):
    payload, R = subject_of_care(server, save(server, person(wire.new_pnr())))
    assert payload.find(f"{R}unregisterCode") is not None
    assert (payload.findtext(f"{R}unregisterCode") or "") == ""


def test_getsubjectofcare_unknown_person_is_error(server):
    """Decision (docs/inbox.md): no folkbokföring data -> the lookup could not be done."""
    payload, R = subject_of_care(server, wire.new_pnr())
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert payload.findtext(f"{R}resultText")
    assert payload.find(f"{R}subjectOfCare") is None


def test_getsubjectofcare_wrong_check_digit_is_error_MC_04(server):
    pnr = save(server, person(wire.new_pnr()))
    payload, R = subject_of_care(server, pnr[:11] + str((int(pnr[11]) + 1) % 10))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    assert "kontrollsiffra" in payload.findtext(f"{R}resultText")


def test_getsubjectofcare_samordningsnummer_is_answered(server):
    pnr = save(server, person(wire.new_pnr("19850375")))
    payload, R = subject_of_care(server, pnr)
    assert payload.findtext(f"{R}subjectOfCare/{C}subjectOfCareId") == pnr


# --- Transport -------------------------------------------------------------------------


@pytest.mark.parametrize("interaction", ["GetUserProfile", "GetSubjectOfCare"])
def test_wrong_soap_action_is_a_client_fault(server, interaction):
    code, text = wire.fault(ask_profile(server.url, interaction, wire.new_pnr(), action="urn:wrong"))
    assert code == "soap:Client" and "Wrong SOAPAction" in text


@pytest.mark.parametrize("interaction", ["GetUserProfile", "GetSubjectOfCare"])
def test_malformed_personnummer_is_a_schema_fault(server, interaction):
    code, text = wire.fault(ask_profile(server.url, interaction, "19850315-1234"))
    assert code == "soap:Client" and "subjectOfCare" in text and "pattern" in text
