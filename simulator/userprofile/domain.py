"""GetUserProfile 2.0 and GetSubjectOfCare 2.0 as the TKB (Användarens profil PA5,
§GetUserProfile and §GetSubjectOfCare "Fältregler" and "Regler") defines them, free of
SOAP: each function turns a citizen (or None) into an :class:`Answer`.

``fields`` maps the contract's element names to values, in the order of the contract's
sequence, holding only what the TKB says is returned; the SOAP layer writes them as they
are. Where the TKB is silent the decision is recorded in docs/inbox.md.
"""

from __future__ import annotations

import dataclasses

from simulator.population.domain import Citizen
from simulator.population.personnummer import TWELVE_DIGITS, gender, has_valid_check_digit

OK, INFO, ERROR = "OK", "INFO", "ERROR"

PROTECTED_FIRST_NAME, PROTECTED_LAST_NAME = "Personuppgift", "Skyddad"
STOCKHOLM_COUNTY = "01"
# "fingerade" county/municipality/parish codes for protected identities (the TKB gives
# no values; these match no real code, so a consumer can never route on them).
FICTITIOUS_CODES = {"countyCode": "00", "municipalityCode": "0000", "parishCode": "000000"}
DECEASED_UNREGISTER_CODE = "1"

TEXT_NO_ACCOUNT = "Invånaren saknar konto i 1177 Vårdguidens e-tjänster."
TEXT_INACTIVE_ACCOUNT = "Invånarens konto i 1177 Vårdguidens e-tjänster är inte aktivt."
TEXT_UNKNOWN_PERSON = "Det finns inga folkbokföringsuppgifter för personen."


@dataclasses.dataclass(frozen=True)
class Answer:
    result_code: str
    result_text: str | None = None
    fields: dict | None = None  # userProfile / subjectOfCare content, None: not returned
    is_active: bool | None = None  # GetUserProfile only
    unregister_code: str | None = None  # GetSubjectOfCare only
    rule_ids: tuple[str, ...] = ()


def check_digit_error(pnr: str) -> Answer | None:
    """MC-04: an all-digit id must carry a valid check digit (the schema checks the form)."""
    if TWELVE_DIGITS.match(pnr) and not has_valid_check_digit(pnr):
        return Answer(ERROR, f"subjectOfCare {pnr[:8]}-{pnr[8:]} har fel kontrollsiffra.", rule_ids=("MC-04",))
    return None


def _codes(citizen: Citizen, with_parish: bool) -> dict:
    if citizen.is_protected:
        codes = dict(FICTITIOUS_CODES)
        if citizen.county_code == STOCKHOLM_COUNTY:
            codes["countyCode"] = STOCKHOLM_COUNTY
    else:
        codes = {
            "countyCode": citizen.county_code,
            "municipalityCode": citizen.municipality_code,
            "parishCode": citizen.parish_code,
        }
    return codes if with_parish else {"countyCode": codes["countyCode"]}


def _person(pnr: str, citizen: Citizen, with_parish: bool) -> dict:
    """The folkbokföring part, with the TKB's protected-identity rule applied: no
    address, the name "Personuppgift Skyddad", fictitious codes (Stockholm keeps 01).
    ``with_parish``: GetSubjectOfCare returns municipality and parish, GetUserProfile not."""
    protected = citizen.is_protected
    address = citizen.address
    fields = {
        "subjectOfCareId": pnr,
        "firstName": PROTECTED_FIRST_NAME if protected else citizen.given_names_marked,
        "lastName": PROTECTED_LAST_NAME if protected else citizen.surname,
        "gender": gender(pnr),
        "streetAddress": None if protected else address.street,
        **_codes(citizen, with_parish),
        "zip": None if protected else address.postal_code,
        "city": None if protected else address.city,
    }
    return {name: value for name, value in fields.items() if value}


def user_profile(pnr: str, citizen: Citizen | None) -> Answer:
    """TKB §GetUserProfile Regler: no account -> INFO, no userProfile, no isActive;
    inactive -> INFO, userProfile with subjectOfCareId only, isActive=false; active ->
    OK, the listed fields, isActive=true. An unknown person has no account."""
    error = check_digit_error(pnr)
    if error:
        return error
    if citizen is None or not citizen.account.exists:
        return Answer(INFO, TEXT_NO_ACCOUNT)
    if not citizen.account.active:
        return Answer(INFO, TEXT_INACTIVE_ACCOUNT, {"subjectOfCareId": pnr}, is_active=False)
    account = citizen.account
    fields = _person(pnr, citizen, with_parish=False)
    fields.update(
        {
            name: value
            for name, value in (
                ("phoneNumber", account.phone),
                ("mobilePhoneNumber", account.mobile),
                ("email", account.email),
                ("hasMailNotification", account.email_notification),
                ("hasSmsNotification", account.sms_notification),
            )
            if value is not None
        }
    )
    return Answer(OK, None, fields, is_active=True)


def is_deceased(citizen: Citizen) -> bool:
    return citizen.deceased or citizen.deregistration_code == "AV"


def subject_of_care(pnr: str, citizen: Citizen | None) -> Answer:
    """TKB §GetSubjectOfCare: folkbokföring data whether or not there is a 1177 account;
    unregisterCode "1" for a deceased person, blank otherwise. A person the simulator
    does not know cannot be answered: ERROR (docs/inbox.md)."""
    error = check_digit_error(pnr)
    if error:
        return error
    if citizen is None:
        return Answer(ERROR, TEXT_UNKNOWN_PERSON)
    return Answer(
        OK,
        None,
        _person(pnr, citizen, with_parish=True),
        unregister_code=DECEASED_UNREGISTER_CODE if is_deceased(citizen) else "",
    )
