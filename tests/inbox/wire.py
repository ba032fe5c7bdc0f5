"""AddMessage and user-profile requests for the inbox and userprofile tests, on top of
the shared RIVTA helpers in tests/rivta.py (re-exported here for the tests that use them)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import requests
from lxml import etree

from contracts.bundle import ContractBundle
from simulator.inbox.store import InboxStore
from simulator.population.domain import Account, Address, Citizen
from simulator.population.personnummer import with_check_digit
from tests.rivta import (  # noqa: F401
    CONSUMER,
    LOGICAL_ADDRESS,
    SOAP,
    citizen_store,
    envelope,
    fault,
    post,
    response_payload,
    server_database,
)

INBOX = "urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2"
INBOX_CORE = "urn:mvk:crm:casemanagement:inbox:2"
ADD_MESSAGE_ACTION = "urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2:AddMessage"


def add_message_body(
    pnr: str,
    msg: str | None = "<article><para>Hej</para></article>",
    *,
    notify: bool = False,
    source_system: str | None = None,
    extra_message: str = "",
    after_msg: str = "",
    business_object_id: str | None = None,
    header_text: str | None = None,
    case_type_description: str | None = None,
    read_status: str | None = None,
) -> str:
    """An AddMessage request; ``msg`` is XML-entity-encoded as the TKB prescribes.
    ``extra_message`` goes right after caseType (healthCareFacility, booking, in XSD order)."""
    parts = [f"<core:caseReadStatus>{read_status}</core:caseReadStatus>" if read_status else ""]
    if case_type_description is not None:
        parts.append(
            f"<core:caseType><core:caseTypeDescription>{escape(case_type_description)}"
            "</core:caseTypeDescription></core:caseType>"
        )
    parts.append(extra_message)
    if business_object_id is not None:
        parts.append(f"<core:businessObjectId>{escape(business_object_id)}</core:businessObjectId>")
    if header_text is not None:
        parts.append(f"<core:headerText>{escape(header_text)}</core:headerText>")
    if msg is not None:
        parts.append(f"<core:msg>{escape(msg)}</core:msg>")
    parts.append(after_msg)
    source = f"<sourceSystem>{source_system}</sourceSystem>" if source_system is not None else ""
    return (
        f'<AddMessage xmlns="{INBOX}" xmlns:core="{INBOX_CORE}"><subjectOfCareId>{pnr}</subjectOfCareId>'
        f"<message>{''.join(parts)}</message><notify>{'true' if notify else 'false'}</notify>{source}"
        "</AddMessage>"
    )


def add_message(base_url: str, pnr: str, **kwargs):
    return post(
        base_url, "/inbox/AddMessage/2/rivtabp21", envelope(add_message_body(pnr, **kwargs)), ADD_MESSAGE_ACTION
    )


def inbox_store(server) -> InboxStore:
    """The server's inbox table: what was committed, not what was answered."""
    return InboxStore(server_database(server))


_serial = iter(range(1, 1000))


def new_pnr(birth: str = "19850315") -> str:
    """A valid personnummer no other test in the session uses."""
    return with_check_digit(f"{birth}{next(_serial):03d}")


def set_clock(server, **command) -> dict:
    answer = requests.post(f"{server.url}/api/clock", json=command, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_schema_valid(interaction: str, payload: etree._Element) -> None:
    """The answer is valid against the built-in contract (what consumers generate code from)."""
    schema = ContractBundle()[interaction].schema
    assert schema.validate(payload), schema.error_log


def person(
    pnr: str,
    *,
    account: str = "active",
    given: str = "Anna Maria",
    calling: str | None = "Maria",
    surname: str = "Testsson",
    **changes,
) -> Citizen:
    """account: "none", "inactive" or "active" (with SMS and e-mail notification on)."""
    accounts = {
        "none": Account(),
        "inactive": Account(exists=True, active=False),
        "active": Account(
            exists=True,
            active=True,
            sms_notification=True,
            email_notification=True,
            mobile="+46701234567",
            email="anna@example.se",
            phone="036-123456",
        ),
    }
    values = dict(
        address=Address(street="Storgatan 1", postal_code="55111", city="Jönköping"),
        county_code="06",
        municipality_code="0680",
        parish_code="068001",
        account=accounts[account],
    )
    values.update(changes)
    return Citizen(personnummer=pnr, given_name=given, surname=surname, calling_name=calling, **values)


PROFILE_CORE = "urn:mvk:itintegration:userprofile:2"


def profile_namespace(interaction: str) -> str:
    return f"urn:mvk:itintegration:userprofile:{interaction}Responder:2"


def ask_profile(base_url: str, interaction: str, pnr: str, action: str | None = "default"):
    """GetUserProfile or GetSubjectOfCare for ``pnr``."""
    namespace = profile_namespace(interaction)
    body = f'<{interaction} xmlns="{namespace}"><subjectOfCare>{pnr}</subjectOfCare></{interaction}>'
    action = f"{namespace}:{interaction}" if action == "default" else action
    return post(base_url, f"/userprofile/{interaction}/2/rivtabp21", envelope(body), action)
