"""Passthrough: a route may send its contract on to a real producer URL (another test
environment, a vendor's own stub, a second simulator) — over mutual TLS when the route
names a client certificate — while the platform still checks, records and can disturb
the call. Failures come back as NTjP reports them: VP009.
"""

from __future__ import annotations

import threading

import requests

from simulator.platform.faults import PlatformFault
from simulator.platform.routing import Route
from simulator.soap.endpoint import Reply, SoapCall
from simulator.soap.envelope import SOAP11_NS

CONNECT_TIMEOUT = 2.0  # NTjP: producer.https.connect.timeout=2000


class Upstream:
    def __init__(self):
        self._sessions: dict[str, requests.Session] = {}
        self._lock = threading.Lock()

    def _session(self, url: str) -> requests.Session:
        """One connection pool per upstream; certificates go with each call, since a
        session's own ``verify`` loses to REQUESTS_CA_BUNDLE in the environment."""
        with self._lock:
            return self._sessions.setdefault(url, requests.Session())

    def forward(self, call: SoapCall, route: Route, timeout: float, instance: str, consumer: str | None) -> Reply:
        headers = {
            "Content-Type": call.environ.get("CONTENT_TYPE") or "text/xml; charset=utf-8",
            "SOAPAction": call.environ.get("HTTP_SOAPACTION", ""),
            "x-vp-instance-id": instance,
        }
        if consumer:
            headers["x-rivta-original-serviceconsumer-hsaid"] = consumer
        url = route.upstream
        assert url is not None, "only a passthrough route is forwarded"
        try:
            cert: str | tuple[str, str] | None = route.client_cert
            if route.client_cert and route.client_key:
                cert = (route.client_cert, route.client_key)
            answer = self._session(url).post(
                url,
                data=call.body,
                headers=headers,
                cert=cert,
                verify=route.ca or True,
                timeout=(min(CONNECT_TIMEOUT, timeout), timeout),
            )
        except requests.ReadTimeout:
            raise PlatformFault("VP009", instance, f"{url}. Timeout when waiting on response from producer.") from None
        except requests.RequestException as exc:
            raise PlatformFault("VP009", instance, f"{url}. {type(exc).__name__}: {exc}") from None
        body = answer.content
        if answer.status_code == 200 or (answer.status_code == 500 and SOAP11_NS.encode() in body):
            return Reply(
                answer.status_code, body, content_type=answer.headers.get("Content-Type", "text/xml; charset=utf-8")
            )
        raise PlatformFault("VP009", instance, f"{url}. The producer answered HTTP {answer.status_code}")
