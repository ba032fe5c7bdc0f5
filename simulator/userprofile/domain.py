"""GetUserProfile, GetSubjectOfCare and GetUserProfileByAgent 2.0 as the TKB (Användarens
profil PA5, chapters 7, 8 and 9, "Fältregler" and "Regler") defines them, free of SOAP:
each function turns a citizen (or None) into an :class:`Answer`.

``fields`` maps the contract's element names to values, in the order of the contract's
sequence, holding only what the TKB says is returned; the SOAP layer writes them as they
are. Where the TKB is silent the decision is recorded in docs/inbox.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from simulator.population.domain import Citizen, object_id_of
from simulator.population.personnummer import TWELVE_DIGITS, gender, has_valid_check_digit
from simulator.population.register import RelationKind

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
TEXT_AGENT_NO_ACCOUNT = "Ombudet saknar konto i 1177 Vårdguidens e-tjänster."
TEXT_AGENT_INACTIVE = "Ombudets konto i 1177 Vårdguidens e-tjänster är inte aktivt."
TEXT_NOT_GUARDIAN = "Ombudet är inte (längre) vårdnadshavare för invånaren."
AGENT_TYPE_GUARDIAN = "Vårdnadshavare"  # the only agent relation of version 2.0 (TKB 9.5)
RELATIVE_PARENT = "Parent"  # RelativeTypeType: the relative is the child's guardian


@dataclasses.dataclass(frozen=True)
class Answer:
    result_code: str
    result_text: str | None = None
    fields: dict | None = None  # userProfile / subjectOfCare content, None: not returned
    is_active: bool | None = None  # GetUserProfile only
    unregister_code: str | None = None  # GetSubjectOfCare only
    agent_name: str | None = None  # GetUserProfileByAgent only
    agent_type: str | None = None
    rule_ids: tuple[str, ...] = ()


def check_digit_error(pnr: str) -> Answer | None:
    """MC-04: an all-digit id must carry a valid check digit (the schema checks the form)."""
    if TWELVE_DIGITS.match(pnr) and not has_valid_check_digit(pnr):
        return Answer(ERROR, f"subjectOfCare {pnr[:8]}-{pnr[8:]} har fel kontrollsiffra.", rule_ids=("MC-04",))
    return None


def _codes(citizen: Citizen, with_parish: bool) -> dict:
    """TKB 8.4: county, municipality and parish are 1..1, as SCB's full codes. They are
    fictitious for a protected identity (Stockholm keeps 01), for a person registered
    with an address abroad (TKB 8.5), and, in GetSubjectOfCare, where the population
    does not know them. GetUserProfile's countyCode is 0..1 (TKB 7.4): left out then."""
    county, municipality, parish = citizen.register_codes(full=True)
    unknown = with_parish and not (county and municipality and parish)
    codes: dict[str, str | None]
    if citizen.is_protected or citizen.address_abroad is not None or unknown:
        codes = {**FICTITIOUS_CODES}
        if citizen.is_protected and county == STOCKHOLM_COUNTY:
            codes["countyCode"] = STOCKHOLM_COUNTY
    else:
        codes = {"countyCode": county, "municipalityCode": municipality, "parishCode": parish}
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


def other_identity(citizen: Citizen | None) -> str | None:
    """TKB 8.5 "Ibland kan ett annat subjectOfCareId returneras": the new personnummer of
    a person who changed number, or the main identity a reservnummer is linked to."""
    if citizen is None:
        return None
    return citizen.replaced_by or citizen.linked_identity


def subject_of_care(pnr: str, citizen: Citizen | None, today: dt.date, current: Citizen | None = None) -> Answer:
    """TKB §GetSubjectOfCare: folkbokföring data whether or not there is a 1177 account;
    unregisterCode "1" for a deceased person, blank otherwise. ``current`` is the
    identity :func:`other_identity` names, when the population has it: its data and id
    are returned. A minor's guardians come as ``relatives`` (TKB 8.5: "begränsad till
    ett barns vårdnadshavare"). A person the simulator does not know cannot be
    answered: ERROR (docs/inbox.md)."""
    error = check_digit_error(pnr)
    if error:
        return error
    if citizen is None:
        return Answer(ERROR, TEXT_UNKNOWN_PERSON)
    person = current or citizen
    fields = _person(person.personnummer, person, with_parish=True)
    guardians = person.related(RelationKind.GUARDIAN)
    if guardians and person.is_minor(today) and not person.is_protected:
        fields["relatives"] = [{"subjectOfCareId": g, "relativeType": RELATIVE_PARENT} for g in guardians]
    return Answer(OK, None, fields, unregister_code=DECEASED_UNREGISTER_CODE if is_deceased(person) else "")


def child_of(agent: Citizen, object_id: str) -> str | None:
    """The child in the agent's custody whose anonymised id is ``object_id``."""
    return next((pnr for pnr in agent.related(RelationKind.CHILD) if object_id_of(pnr) == object_id), None)


def user_profile_by_agent(agent_pnr: str, agent: Citizen | None, child: Citizen | None, today: dt.date) -> Answer:
    """TKB 9.5: the agent (a guardian) needs an active account: none -> INFO; inactive ->
    INFO with isActive=false; in neither case a profile. No longer guardian (the child
    lists them not, or is 18) -> ERROR. Otherwise the child's profile by the rules of
    GetUserProfile (no account INFO, inactive INFO with the id only, active OK), with
    the agent's name and type."""
    error = check_digit_error(agent_pnr)
    if error:
        return error
    if agent is None or not agent.account.exists:
        return Answer(INFO, TEXT_AGENT_NO_ACCOUNT)
    if not agent.account.active:
        return Answer(INFO, TEXT_AGENT_INACTIVE, is_active=False)
    if child is None or agent_pnr not in child.related(RelationKind.GUARDIAN) or not child.is_minor(today):
        return Answer(ERROR, TEXT_NOT_GUARDIAN)
    profile = user_profile(child.personnummer, child)
    return dataclasses.replace(
        profile, agent_name=f"{agent.given_name} {agent.surname}", agent_type=AGENT_TYPE_GUARDIAN
    )
