"""A small client for the simulator, as a care system and a citizen use it over HTTP:
AddMessage and GetMessageStatus (SOAP 1.1 with the ``LogicalAddress`` header and the
``x-rivta-original-serviceconsumer-hsaid`` header), and the citizen's browser session
(log in, open a thread). The trainer demo drives the simulator with it; the tests do
too, so the demo's path is the tested path."""

from __future__ import annotations

import dataclasses
import re

import requests
from lxml import etree

from contracts.bundle import Contract, ContractBundle, secure_parser
from simulator.soap.envelope import LOGICAL_ADDRESS, SOAP11_NS

# The 1177 logical address care systems use in examples, and the demo care system's HSA-id.
INBOX_LOGICAL_ADDRESS = "SE2321000016-MVK"
DEMO_CONSUMER = "SE2321000016-DEMO"


class SoapError(Exception):
    def __init__(self, status: int, code: str, text: str):
        super().__init__(f"HTTP {status} {code}: {text}")
        self.status, self.code, self.text = status, code, text


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
    source_system: str | None = DEMO_CONSUMER


def _sub(parent, namespace: str, name: str, value) -> None:
    if value is None:
        return
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    etree.SubElement(parent, f"{{{namespace}}}{name}").text = text


def add_message_payload(contract: Contract, kallelse: Kallelse) -> etree._Element:
    ns, core = contract.responder_namespace, contract.core_namespace
    payload = etree.Element(contract.request_element, nsmap={None: ns, "core": core})
    _sub(payload, ns, "subjectOfCareId", kallelse.personnummer)
    message = etree.SubElement(payload, f"{{{ns}}}message")
    if kallelse.case_type:
        _sub(etree.SubElement(message, f"{{{core}}}caseType"), core, "caseTypeDescription", kallelse.case_type)
    for group, values in (("healthCareFacility", kallelse.facility), ("booking", kallelse.booking)):
        if values:
            element = etree.SubElement(message, f"{{{core}}}{group}")
            for name, value in values.items():
                _sub(element, core, name, value)
    _sub(message, core, "businessObjectId", kallelse.business_object_id)
    _sub(message, core, "headerText", kallelse.header)
    _sub(message, core, "msg", kallelse.msg)  # lxml entity-encodes the DocBook text (MC-02)
    if kallelse.url_configuration:
        element = etree.SubElement(message, f"{{{core}}}urlConfiguration")
        for name, value in kallelse.url_configuration.items():
            _sub(element, core, name, value)
    _sub(payload, ns, "notify", kallelse.notify)
    _sub(payload, ns, "sourceSystem", kallelse.source_system)
    return payload


def status_payload(contract: Contract, personnummer: str, business_object_id: str) -> etree._Element:
    ns = contract.responder_namespace
    payload = etree.Element(contract.request_element, nsmap={None: ns})
    _sub(payload, ns, "subjectOfCareId", personnummer)
    _sub(payload, ns, "businessObjectId", business_object_id)
    return payload


class SimulatorClient:
    def __init__(
        self,
        base_url: str,
        contracts: ContractBundle,
        consumer: str = DEMO_CONSUMER,
        logical_address: str = INBOX_LOGICAL_ADDRESS,
    ):
        self.base_url = base_url.rstrip("/")
        self.contracts = contracts
        self.consumer = consumer
        self.logical_address = logical_address
        self.http = requests.Session()
        self.http.headers["x-rivta-original-serviceconsumer-hsaid"] = consumer

    def soap(self, interaction: str, payload: etree._Element, prefix: str = "inbox") -> etree._Element:
        """POST one request; the response payload, or SoapError for a Fault."""
        contract = self.contracts[interaction]
        envelope = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soapenv": SOAP11_NS})
        header = etree.SubElement(envelope, f"{{{SOAP11_NS}}}Header")
        etree.SubElement(header, LOGICAL_ADDRESS).text = self.logical_address
        etree.SubElement(envelope, f"{{{SOAP11_NS}}}Body").append(payload)
        response = self.http.post(
            f"{self.base_url}/{prefix}/{interaction}/{contract.major_version}/rivtabp21",
            data=etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
            timeout=30,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{contract.soap_action}"'},
        )
        body = etree.fromstring(response.content, secure_parser()).find(f"{{{SOAP11_NS}}}Body")[0]
        if response.status_code != 200:
            raise SoapError(response.status_code, body.findtext("faultcode") or "", body.findtext("faultstring") or "")
        return body

    def add_message(self, kallelse: Kallelse) -> tuple[str, str | None]:
        """(resultCode, resultText)."""
        answer = self.soap("AddMessage", add_message_payload(self.contracts["AddMessage"], kallelse))
        return answer.findtext("{*}resultCode"), answer.findtext("{*}resultText")

    def message_status(self, personnummer: str, business_object_id: str) -> dict:
        """{"resultCode", "resultText", "messages": [{id, caseReadStatus, readTime, ...}]}"""
        contract = self.contracts["GetMessageStatus"]
        answer = self.soap("GetMessageStatus", status_payload(contract, personnummer, business_object_id))
        messages = [
            {etree.QName(child).localname: child.text for child in item} for item in answer.findall("{*}message")
        ]
        return {
            "resultCode": answer.findtext("{*}resultCode"),
            "resultText": answer.findtext("{*}resultText"),
            "messages": messages,
        }

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.base_url}{path}", timeout=30, **kwargs)


class CitizenBrowser:
    """The citizen's side without a browser: a cookie session through the same forms."""

    TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()

    def token(self, path: str) -> str:
        page = self.http.get(f"{self.base_url}{path}", timeout=30)
        page.raise_for_status()
        return self.TOKEN.search(page.text).group(1)

    def log_in(self, personnummer: str) -> None:
        token = self.token("/inkorg/logga-in")
        answer = self.http.post(
            f"{self.base_url}/inkorg/logga-in", timeout=30, data={"csrf_token": token, "personnummer": personnummer}
        )
        answer.raise_for_status()

    def open_thread(self, message_id: str) -> str:
        page = self.http.get(f"{self.base_url}/inkorg/arende/{message_id}", timeout=30)
        page.raise_for_status()
        return page.text

    def post_form(self, path: str, token_from: str, **fields) -> requests.Response:
        token = self.token(token_from)
        return self.http.post(f"{self.base_url}{path}", data={"csrf_token": token, **fields}, timeout=30)
