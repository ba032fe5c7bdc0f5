"""Helpers for the platform tests: routing files, a simulator over mutual TLS, the
traffic and behaviour APIs, and SOAP calls with or without the RIVTA headers."""

from __future__ import annotations

import functools
import textwrap
from pathlib import Path
from unittest import mock

import requests
from lxml import etree

import rivta
from tests.inbox import wire
from tests.support import SimulatorProcess

ADD_MESSAGE = "/inbox/AddMessage/2/rivtabp21"
INBOX_NS = wire.INBOX
VP_ADDRESS = "5565594230"  # where the routing files produce AddMessage
CARE_SYSTEM = "SE2321000016-CARE"  # an authorized consumer
OTHER_SYSTEM = "SE2321000016-OTHER"  # known to nobody


def gate_sleeps(server, monkeypatch) -> list[float]:
    """Replace the platform gate's injected ``sleep`` of an in-process simulator with a
    recorder: a test sees each wait (delay behaviours, route timeouts) in seconds,
    without waiting and without timing windows a busy machine breaks."""
    from simulator.platform.gate import PlatformGate

    waits: list[float] = []
    gate = next(i for i in server.runtime.interceptors if isinstance(i, PlatformGate))
    monkeypatch.setattr(gate, "sleep", waits.append)
    return waits


def metric(server, name: str, **labels: str) -> float | None:
    """One sample of the server's /metrics, read with prometheus_client's own parser."""
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(f"{server.url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


def write_routing(folder: Path, text: str) -> Path:
    path = folder / "routing.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def new_person(server) -> str:
    """A citizen with an active 1177 account, so AddMessage answers OK for them."""
    pnr = wire.new_pnr()
    wire.citizen_store(server).save(wire.person(pnr))
    return pnr


def add_message(
    base_url: str,
    pnr: str,
    logical_address: str | None = VP_ADDRESS,
    consumer: str | None = CARE_SYSTEM,
    session=requests,
    **kwargs,
):
    body = wire.add_message_body(pnr, **kwargs)
    headers = rivta.http_headers(None, consumer, wire.ADD_MESSAGE_ACTION)
    data = rivta.envelope(body, logical_address)
    return session.post(base_url + ADD_MESSAGE, data=data, headers=headers, timeout=60)


def fault(response) -> tuple[str, str]:
    return wire.fault(response)


def result_code(response) -> str:
    return wire.response_payload(response).findtext(f"{{{INBOX_NS}}}resultCode")


def behaviour(base_url: str, rule: dict) -> dict:
    answer = requests.post(f"{base_url}/api/behaviours", json=rule, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def rule_state(base_url: str, rule_id: int) -> dict:
    answer = requests.get(f"{base_url}/api/behaviours/{rule_id}", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def traffic(base_url: str, session=requests, **params) -> list[dict]:
    answer = session.get(f"{base_url}/api/traffic", params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def clear(base_url: str) -> None:
    for path in ("/api/behaviours", "/api/traffic"):
        assert requests.delete(base_url + path, timeout=10).status_code == 200


def xml(response) -> etree._Element:
    return etree.fromstring(response.content)


class TlsSimulator(SimulatorProcess):
    """``kallelse serve --tls``: reached over https with a client certificate."""

    def __init__(self, data_dir: Path, certs: Path, client: tuple[str, str], **kwargs):
        extra = ("--tls", "--tls-dir", str(certs), *kwargs.pop("extra_args", ()))
        super().__init__(data_dir, extra_args=extra, **kwargs)
        self.certs = certs
        self.client = client

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def session(self, client: tuple[str, str] | None = None) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify
        session.verify = str(self.certs / "ca.pem")
        session.cert = client or self.client
        return session

    def start(self, timeout: float = 60) -> TlsSimulator:
        """SimulatorProcess polls /api/health with requests.get; over mutual TLS that
        poll needs the CA and a client certificate."""
        probe = functools.partial(requests.get, verify=str(self.certs / "ca.pem"), cert=self.client)
        with mock.patch.object(requests, "get", probe):
            return super().start(timeout)
