"""The family view of the 1177 user profile over real HTTP: GetUserProfileByAgent (TKB
Användarens profil PA5 chapter 9: a guardian acting for a child), GetSubjectOfCare's
``relatives`` and the other ``subjectOfCareId`` it may return (TKB 8.4, 8.5), and the
1..1 county, municipality and parish codes. Every answer is checked against the
contract schema. Citizens are created per test (tests.inbox.wire.person)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
import requests

from simulator.population.domain import object_id_of
from simulator.population.register import AddressAbroad, ReferredIdentity, Relation, RelationKind
from tests.inbox import wire
from tests.inbox.wire import PROFILE_CORE, ask_profile, person, profile_namespace
from tests.platform.support import write_routing
from tests.support import SimulatorProcess

C = f"{{{PROFILE_CORE}}}"
BY_AGENT = "GetUserProfileByAgent"
PATH = f"/userprofile/{BY_AGENT}/2/rivtabp21"


def by_agent(base_url: str, agent: str, object_id: str, consumer: str | None = wire.CONSUMER, address=None):
    namespace = profile_namespace(BY_AGENT)
    body = (
        f'<{BY_AGENT} xmlns="{namespace}"><subjectOfCareId>{agent}</subjectOfCareId>'
        f"<objectId>{object_id}</objectId></{BY_AGENT}>"
    )
    envelope = wire.envelope(body, address) if address else wire.envelope(body)
    return wire.post(base_url, PATH, envelope, f"{namespace}:{BY_AGENT}", consumer)


def answer(response, interaction: str = BY_AGENT):
    payload = wire.response_payload(response)
    wire.assert_schema_valid(interaction, payload)
    return payload, f"{{{profile_namespace(interaction)}}}"


def child_born(server, years: int) -> str:
    """A fresh child's personnummer, ``years`` (and a month) old on the simulator clock's date."""
    today = dt.datetime.fromisoformat(requests.get(f"{server.url}/api/clock", timeout=10).json()["now_local"]).date()
    born = today.replace(year=today.year - years, day=1) - dt.timedelta(days=31)
    return wire.new_pnr(f"{born:%Y%m%d}")


def family(server, child_years: int = 10, child_account: str = "active", agent_account: str = "active"):
    """A guardian and a child, related both ways; returns (agent, child) personnummer."""
    agent, child = wire.new_pnr(), child_born(server, child_years)
    store = wire.citizen_store(server)
    store.save(person(agent, account=agent_account, relations=[Relation(child, RelationKind.CHILD)]))
    store.save(
        person(
            child, account=child_account, given="Lisa", calling=None, relations=[Relation(agent, RelationKind.GUARDIAN)]
        )
    )
    return agent, child


# --- GetUserProfileByAgent (TKB 9) -------------------------------------------------------


def test_by_agent_guardian_gets_the_childs_profile_TKB_9_5(server):
    """TKB 9.5: both have active accounts -> OK, currentUserProfile with the GetUserProfile
    fields, isActive true, agentName and agentType."""
    agent, child = family(server)
    payload, R = answer(by_agent(server.url, agent, object_id_of(child)))
    assert payload.findtext(f"{R}resultCode") == "OK"
    assert payload.findtext(f"{R}isActive") == "true"
    assert payload.findtext(f"{R}agentName") == "Anna Maria Testsson"
    assert payload.findtext(f"{R}agentType") == "Vårdnadshavare"
    profile = payload.find(f"{R}currentUserProfile")
    assert profile.findtext(f"{C}subjectOfCareId") == child
    assert profile.findtext(f"{C}firstName") == "Lisa"
    assert profile.findtext(f"{C}hasSmsNotification") == "true"
    assert profile.find(f"{C}municipalityCode") is None  # GetUserProfile's field list (TKB 9.4)


def test_by_agent_child_without_account_is_info_without_profile_TKB_9_5(server):
    agent, child = family(server, child_account="none")
    payload, R = answer(by_agent(server.url, agent, object_id_of(child)))
    assert payload.findtext(f"{R}resultCode") == "INFO" and payload.findtext(f"{R}resultText")
    assert payload.find(f"{R}currentUserProfile") is None and payload.find(f"{R}isActive") is None


def test_by_agent_child_with_inactive_account_gets_only_the_id_TKB_9_5(server):
    agent, child = family(server, child_account="inactive")
    payload, R = answer(by_agent(server.url, agent, object_id_of(child)))
    assert payload.findtext(f"{R}resultCode") == "INFO" and payload.findtext(f"{R}isActive") == "false"
    profile = payload.find(f"{R}currentUserProfile")
    assert [e.tag for e in profile] == [f"{C}subjectOfCareId"] and profile[0].text == child


def test_by_agent_inactive_agent_is_info_is_active_false_no_profile_TKB_9_5(server):
    agent, child = family(server, agent_account="inactive")
    payload, R = answer(by_agent(server.url, agent, object_id_of(child)))
    assert payload.findtext(f"{R}resultCode") == "INFO" and payload.findtext(f"{R}isActive") == "false"
    assert payload.find(f"{R}currentUserProfile") is None


def test_by_agent_agent_without_account_is_info_TKB_9_5(server):
    agent, child = family(server, agent_account="none")
    payload, R = answer(by_agent(server.url, agent, object_id_of(child)))
    assert payload.findtext(f"{R}resultCode") == "INFO"
    assert payload.find(f"{R}currentUserProfile") is None and payload.find(f"{R}isActive") is None


def test_by_agent_no_longer_guardian_is_error_TKB_9_5(server):
    """TKB 9.5: "Om ombudet inte längre är vårdnadshavare ... ERROR", no profile: the child
    no longer lists the agent, or the child has turned 18, or the objectId is another's."""
    agent, child = family(server)
    store = wire.citizen_store(server)
    store.save(dataclasses.replace(store.get(child), relations=[]))
    adult_agent, adult = family(server, child_years=19)
    stranger = wire.new_pnr()
    store.save(person(stranger))
    for asked_by, object_id in (
        (agent, object_id_of(child)),
        (adult_agent, object_id_of(adult)),
        (stranger, object_id_of(adult)),
    ):
        payload, R = answer(by_agent(server.url, asked_by, object_id))
        assert payload.findtext(f"{R}resultCode") == "ERROR", asked_by
        assert "vårdnadshavare" in payload.findtext(f"{R}resultText")
        assert payload.find(f"{R}currentUserProfile") is None


def test_by_agent_object_id_is_anonymised_not_the_personnummer(server):
    agent, child = family(server)
    assert object_id_of(child) != child and uuid.UUID(object_id_of(child))
    payload, R = answer(by_agent(server.url, agent, child))
    assert payload.findtext(f"{R}resultCode") == "ERROR"
    shown = requests.get(f"{server.url}/api/citizens/{child}", timeout=10).json()
    assert shown["object_id"] == object_id_of(child)


def test_by_agent_wrong_check_digit_is_error_MC_04(server):
    agent, child = family(server)
    wrong = agent[:11] + str((int(agent[11]) + 1) % 10)
    payload, R = answer(by_agent(server.url, wrong, object_id_of(child)))
    assert payload.findtext(f"{R}resultCode") == "ERROR" and "kontrollsiffra" in payload.findtext(f"{R}resultText")


def test_by_agent_is_served_with_its_wsdl(server):
    wsdl = requests.get(f"{server.url}{PATH}?wsdl", timeout=10)
    assert wsdl.status_code == 200 and f"{server.url}{PATH}" in wsdl.text
    health = requests.get(f"{server.url}/api/health", timeout=10).json()
    assert PATH in health["endpoints"]


ROUTING = f"""
[platform]
instance = "NTjP-TEST"

[[routes]]
contract = "{BY_AGENT}"
logical_address = "SE2321000016-MVK"

[[authorizations]]
consumer = "SE2321000016-CARE"
contract = "{BY_AGENT}"
logical_address = "SE2321000016-MVK"
"""


def test_by_agent_goes_through_platform_routing_and_authorization(tmp_path):
    """Like every other operation: VP004 without a route, VP007 without an authorization."""
    routing = write_routing(tmp_path, ROUTING)
    platform = SimulatorProcess(tmp_path / "sim", seed=False, extra_args=("--routing", str(routing))).start()
    try:
        agent, child = family(platform)
        ok, R = answer(by_agent(platform.url, agent, object_id_of(child), consumer="SE2321000016-CARE"))
        assert ok.findtext(f"{R}resultCode") == "OK"
        code, text = wire.fault(by_agent(platform.url, agent, object_id_of(child), consumer="SE2321000016-OTHER"))
        assert text.startswith("VP007"), text
        code, text = wire.fault(
            by_agent(platform.url, agent, object_id_of(child), consumer="SE2321000016-CARE", address="SE-NOWHERE")
        )
        assert text.startswith("VP004"), text
    finally:
        platform.stop()


# --- GetSubjectOfCare (TKB 8) ------------------------------------------------------------


def subject(server, pnr):
    payload, R = answer(ask_profile(server.url, "GetSubjectOfCare", pnr), "GetSubjectOfCare")
    return payload, payload.find(f"{R}subjectOfCare")


def test_subject_of_care_minor_has_guardians_as_relatives_TKB_8_5(server):
    """TKB 8.5: relatives is limited to a child's guardians (relativeType Parent)."""
    agent, child = family(server)
    _, found = subject(server, child)
    items = found.findall(f"{C}relatives/{C}items")
    assert [(i.findtext(f"{C}subjectOfCareId"), i.findtext(f"{C}relativeType")) for i in items] == [(agent, "Parent")]
    _, guardian = subject(server, agent)
    assert guardian.find(f"{C}relatives") is None  # the guardian's own children are not returned


def test_subject_of_care_adult_has_no_relatives_TKB_8_5(server):
    _, adult = family(server, child_years=19)
    _, found = subject(server, adult)
    assert found.find(f"{C}relatives") is None


def test_subject_of_care_changed_personnummer_returns_the_new_id_TKB_8_5(server):
    """TKB 8.5 "Ibland kan ett annat subjectOfCareId returneras ... bytt personnummer"."""
    old, new = wire.new_pnr(), wire.new_pnr()
    store = wire.citizen_store(server)
    store.save(person(old, surname="Gammal", referred_identities=[ReferredIdentity(new, "NY")]))
    store.save(person(new, surname="Ny", referred_identities=[ReferredIdentity(old, "AS")]))
    payload, found = subject(server, old)
    assert found.findtext(f"{C}subjectOfCareId") == new and found.findtext(f"{C}lastName") == "Ny"


def test_subject_of_care_linked_reservnummer_returns_the_main_identity_TKB_8_5(server):
    main = wire.new_pnr()
    reserve = f"{main[:8]}T{main[9:]}"
    store = wire.citizen_store(server)
    store.save(person(main))
    store.save(person(reserve, linked_identity=main, county_code=None, municipality_code=None, parish_code=None))
    _, found = subject(server, reserve)
    assert found.findtext(f"{C}subjectOfCareId") == main


def test_subject_of_care_person_abroad_gets_fictitious_codes_TKB_8_5(server):
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(person(pnr, address_abroad=AddressAbroad(["Calle 1"], "Spanien")))
    _, found = subject(server, pnr)
    codes = [found.findtext(f"{C}{name}") for name in ("countyCode", "municipalityCode", "parishCode")]
    assert codes == ["00", "0000", "000000"]


@pytest.mark.parametrize(
    "address,expected",
    [
        ({"street": "Kungsgatan 3", "postal_code": "41119", "city": "Göteborg"}, ("14", "1480", "148001")),
        ({"street": "Storgatan 1", "postal_code": "753 20", "city": "Uppsala"}, ("03", "0380", "038001")),
        ({"street": "Fjällvägen 1", "postal_code": "98138", "city": "Kiruna"}, ("00", "0000", "000000")),
    ],
    ids=["gothenburg", "uppsala", "not-in-the-table"],
)
def test_subject_of_care_codes_are_always_present_for_api_citizens_TKB_8_4(server, address, expected):
    """TKB 8.4: countyCode, municipalityCode, parishCode are 1..1. A citizen created
    through POST /api/citizens gets them from the address's town (docs/population.md);
    an unknown town gets the fictitious codes."""
    pnr = wire.new_pnr()
    created = requests.post(
        f"{server.url}/api/citizens",
        json={"personnummer": pnr, "given_name": "A", "surname": "B", "address": address},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    _, found = subject(server, pnr)
    assert tuple(found.findtext(f"{C}{n}") for n in ("countyCode", "municipalityCode", "parishCode")) == expected
    for name in ("subjectOfCareId", "firstName", "lastName", "gender"):
        assert found.findtext(f"{C}{name}"), name


def test_user_profile_phone_numbers_are_e164_after_the_control_api(server):
    """TKB PU 6.1.12 at the door: the number typed as 070-174 06 50 is stored and answered as +46701740650."""
    pnr = wire.new_pnr()
    body = {
        "personnummer": pnr,
        "given_name": "A",
        "surname": "B",
        "account": {"exists": True, "active": True, "mobile": "070-174 06 50", "phone": "036-10 20 30"},
    }
    assert requests.post(f"{server.url}/api/citizens", json=body, timeout=10).status_code == 201
    payload, R = answer(ask_profile(server.url, "GetUserProfile", pnr), "GetUserProfile")
    profile = payload.find(f"{R}userProfile")
    assert profile.findtext(f"{C}mobilePhoneNumber") == "+46701740650"
    assert profile.findtext(f"{C}phoneNumber") == "+4636102030"


def test_user_profile_leaves_an_unknown_county_out_TKB_7_4(server):
    """TKB 7.4: GetUserProfile's countyCode is 0..1, so an unknown one is not invented."""
    pnr = wire.new_pnr()
    body = {
        "personnummer": pnr,
        "given_name": "A",
        "surname": "B",
        "address": {"street": "Fjällvägen 1", "postal_code": "98138", "city": "Kiruna"},
        "account": {"exists": True, "active": True},
    }
    assert requests.post(f"{server.url}/api/citizens", json=body, timeout=10).status_code == 201
    payload, R = answer(ask_profile(server.url, "GetUserProfile", pnr), "GetUserProfile")
    assert payload.find(f"{R}userProfile/{C}countyCode") is None
    assert payload.findtext(f"{R}userProfile/{C}city") == "Kiruna"
