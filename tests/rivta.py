"""RIVTA requests as a care system sends them, shared by the service tests: the envelope
(LogicalAddress header) and HTTP headers (SOAPAction, consumer HSA-id) come from the
``rivta`` library; the tests write payloads as XML text so that they send exactly what
they mean, valid or deliberately not. Readers for answers and faults; and the server's
own database for setting up exactly the citizens a test needs."""

from __future__ import annotations

import requests
from lxml import etree

import rivta
from simulator.population.store import CitizenStore
from simulator.storage import Database
from simulator.storage.database import sqlite_url

SOAP = rivta.SOAP11_NS
LOGICAL_ADDRESS = "SE2321000016-MVK"
CONSUMER = "SE2321000065-7331"


def envelope(body: str, logical_address: str | None = LOGICAL_ADDRESS) -> str:
    """The library's envelope around a payload written as text (``None``: no
    LogicalAddress header), as text, for tests that then break it on purpose."""
    return rivta.envelope(body, logical_address).decode("utf-8")


def post(
    base_url: str,
    path: str,
    body: str | bytes,
    action: str | None,
    consumer: str | None = CONSUMER,
    timeout: float = 30,
):
    headers = rivta.http_headers(None, consumer, action)
    data = body.encode("utf-8") if isinstance(body, str) else body
    return requests.post(base_url + path, data=data, headers=headers, timeout=timeout)


def response_payload(response) -> etree._Element:
    """The one element in the SOAP Body of a 200 answer."""
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    return root.find(f"{{{SOAP}}}Body")[0]


def fault(response) -> tuple[str, str]:
    """(faultcode, faultstring) of a SOAP 1.1 Fault answered with HTTP 500."""
    assert response.status_code == 500, response.text
    assert response.headers["Content-Type"].startswith("text/xml"), response.headers
    root = etree.fromstring(response.content)
    element = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert element is not None, response.text
    return element.findtext("faultcode"), element.findtext("faultstring")


def server_database(server) -> Database:
    return Database(server.database_url or sqlite_url(server.data_dir))


def citizen_store(server) -> CitizenStore:
    """The server's own citizen table, to set up test persons exactly as a test needs them."""
    return CitizenStore(server_database(server))
