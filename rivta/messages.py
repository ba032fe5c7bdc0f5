"""The requests a care system sends, as payloads built from the contract's element names:
AddMessage, GetMessageStatus, GetUserProfile and PU's GetPersonsForProfile. One way to
speak each contract for the dispatch core, the demo, the load generators and the tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from lxml import etree

from contracts.bundle import Contract
from rivta.payload import build

OID_PERSONNUMMER = "1.2.752.129.2.1.3.1"
OID_SAMORDNINGSNUMMER = "1.2.752.129.2.1.3.3"
OID_RESERVNUMMER = "1.2.752.74.9.1"


@dataclasses.dataclass
class Kallelse:
    """One AddMessage; dict values are the contract's element names, in XSD order."""

    personnummer: str
    msg: str
    business_object_id: str | None = None
    case_type: str | None = "Kallelse"
    header: str | None = None
    facility: dict | None = None
    booking: dict | None = None
    url_configuration: dict | None = None
    notify: bool = True
    source_system: str | None = None


def add_message(contract: Contract, kallelse: Kallelse) -> etree._Element:
    """AddMessage 2.0; lxml entity-encodes the DocBook text of ``msg`` (MC-02)."""
    return build(
        contract,
        {
            "subjectOfCareId": kallelse.personnummer,
            "message": {
                "caseType": {"caseTypeDescription": kallelse.case_type} if kallelse.case_type else None,
                "healthCareFacility": kallelse.facility or None,
                "booking": kallelse.booking or None,
                "businessObjectId": kallelse.business_object_id,
                "headerText": kallelse.header,
                "msg": kallelse.msg,
                "urlConfiguration": kallelse.url_configuration or None,
            },
            "notify": kallelse.notify,
            "sourceSystem": kallelse.source_system,
        },
    )


def get_message_status(contract: Contract, personnummer: str, business_object_id: str) -> etree._Element:
    return build(contract, {"subjectOfCareId": personnummer, "businessObjectId": business_object_id})


def get_user_profile(contract: Contract, personnummer: str) -> etree._Element:
    """GetUserProfile and GetSubjectOfCare both ask with ``subjectOfCare``."""
    return build(contract, {"subjectOfCare": personnummer})


def identity_root(pnr: str) -> str:
    """The IIType root of an identity: reservnummer (a letter among the serial digits),
    samordningsnummer (day of birth + 60) or personnummer."""
    if not pnr[8].isdigit():
        return OID_RESERVNUMMER
    return OID_SAMORDNINGSNUMMER if 61 <= int(pnr[6:8]) <= 91 else OID_PERSONNUMMER


def get_persons_for_profile(
    contract: Contract, identities: Iterable[str], profile: str = "P3", ignore_referred: bool = False
) -> etree._Element:
    """1-500 identities in one call (the contract's maximum), each with its IIType root."""
    person_ids = [{"root": identity_root(pnr), "extension": pnr} for pnr in identities]
    return build(contract, {"personId": person_ids, "profile": profile, "ignoreReferredIdentity": ignore_referred})
