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

import rivta
from contracts.bundle import ContractBundle

# The 1177 logical address care systems use in examples, and the demo care system's HSA-id.
INBOX_LOGICAL_ADDRESS = "SE2321000016-MVK"
DEMO_CONSUMER = "SE2321000016-DEMO"


@dataclasses.dataclass
class Kallelse(rivta.Kallelse):
    """The library's AddMessage fields with the demo care system as ``sourceSystem``."""

    source_system: str | None = DEMO_CONSUMER


class SimulatorClient:
    """A care system (RIVTA over ``rivta.RivtaClient``) plus the control API (same session)."""

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
        self.rivta = rivta.RivtaClient(consumer, timeout=30)
        self.http = self.rivta.session
        self.http.headers[rivta.CONSUMER_HEADER] = consumer  # the outboxes record who submitted

    def soap(self, interaction: str, payload: etree._Element, prefix: str = "inbox") -> etree._Element:
        """POST one request; the response payload, or ``rivta.SoapFault`` for a Fault."""
        contract = self.contracts[interaction]
        url = f"{self.base_url}/{prefix}/{interaction}/{contract.major_version}/rivtabp21"
        return self.rivta.call(rivta.Endpoint(contract, url, self.logical_address), payload)

    def add_message(self, kallelse: Kallelse) -> tuple[str, str | None]:
        """(resultCode, resultText)."""
        answer = rivta.result(self.soap("AddMessage", rivta.add_message(self.contracts["AddMessage"], kallelse)))
        return answer.code, answer.text

    def message_status(self, personnummer: str, business_object_id: str) -> dict:
        """{"resultCode", "resultText", "messages": [{id, caseReadStatus, readTime, ...}]}"""
        contract = self.contracts["GetMessageStatus"]
        answer = self.soap("GetMessageStatus", rivta.get_message_status(contract, personnummer, business_object_id))
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
        found = self.TOKEN.search(page.text)
        if found is None:
            raise RuntimeError(f"{path}: no form token on the page")
        return found.group(1)

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
