"""The simulator as the suite uses it, over HTTP only: its control API (citizens, clock,
behaviour rules, recorded traffic) and what the citizen received (1177 inbox, paper
outbox, notification outbox). Nothing here knows the vendor."""

from __future__ import annotations

import datetime as dt

import requests

from conformance import rest
from simulator.citizen.client import CitizenBrowser

TIMEOUT = 30


class SimulatorError(Exception):
    """The simulator answered something the suite cannot use (names the call)."""


class SimulatorApi:
    """``token``: the shared test bed's API token (docs/platform.md, "Shared mode"); moving
    the clock and setting behaviour rules need an admin's while the clock is shared."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.http = rest.session(token=token, base_url=self.base_url, idempotent=rest.READS | {"DELETE"})
        self.http.headers["X-Actor"] = "kallelse-conformance"

    def _call(self, method: str, path: str, expect=(200,), **kwargs):
        return rest.call(self.http, self.base_url, method, path, expect, SimulatorError, TIMEOUT, **kwargs)

    def health(self) -> dict:
        return self._call("GET", "/api/health").json()

    # clock -------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self._call("GET", "/api/clock").json()["now"])

    def clock(self, **command) -> dt.datetime:
        """POST /api/clock with ``set``/``advance``/``freeze``; the new simulator time."""
        if isinstance(command.get("set"), dt.datetime):
            command["set"] = command["set"].isoformat()
        return dt.datetime.fromisoformat(self._call("POST", "/api/clock", json=command).json()["now"])

    # citizens ----------------------------------------------------------------------------
    def create_citizen(self, body: dict) -> bool:
        """False when the personnummer is taken (409), so the caller picks another."""
        answer = self._call("POST", "/api/citizens", expect=(201, 409), json=body)
        return answer.status_code == 201

    # behaviour rules (fault injection per personnummer) -----------------------------------
    def add_behaviour(self, rule: dict) -> int:
        return self._call("POST", "/api/behaviours", expect=(201,), json=rule).json()["id"]

    def delete_behaviour(self, rule_id: int) -> None:
        self._call("DELETE", f"/api/behaviours/{rule_id}", expect=(200, 404))

    # traffic -----------------------------------------------------------------------------
    def traffic(
        self,
        personnummer: str | None = None,
        consumer: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        contract: str | None = None,
        business_object_id: str | None = None,
    ) -> list[dict]:
        """Every recorded exchange that matches, with bodies, oldest first."""
        params: dict[str, str | int] = {"bodies": "true", "limit": 500}
        for key, value in (
            ("personnummer", personnummer),
            ("consumer", consumer),
            ("contract", contract),
            ("business_object_id", business_object_id),
        ):
            if value:
                params[key] = value
        for key, instant in (("since", since), ("until", until)):
            if instant is not None:
                params[key] = instant.isoformat()
        records: list[dict] = []
        while True:
            page = self._call("GET", "/api/traffic", params=params).json()
            records.extend(page["items"])
            if not page.get("next_before"):
                return sorted(records, key=lambda r: r["id"])
            params["before"] = page["next_before"]

    def any_traffic(self, consumer: str | None, since: dt.datetime) -> bool:
        """Whether anything (from this consumer) was recorded since ``since``: one cheap call."""
        params = {"limit": 1, "since": since.isoformat(), **({"consumer": consumer} if consumer else {})}
        return bool(self._call("GET", "/api/traffic", params=params).json()["items"])

    # what the citizen received -------------------------------------------------------------
    def inbox(self, personnummer: str) -> dict:
        answer = self._call("GET", f"/api/citizens/{personnummer}/inbox", expect=(200, 404))
        return answer.json() if answer.status_code == 200 else {"threads": [], "message_count": 0}

    def messages(self, personnummer: str) -> list[dict]:
        """Every inbox message of the citizen, oldest first."""
        found = [m for t in self.inbox(personnummer)["threads"] for m in t["messages"]]
        return sorted(found, key=lambda m: (m["received_at"] or "", m["message_id"]))

    def letters(self, personnummer: str) -> list[dict]:
        return self._call("GET", "/api/paper-letters", params={"personnummer": personnummer}).json()

    def letter_document(self, letter_id: str) -> tuple[str, bytes]:
        answer = self._call("GET", f"/api/paper-letters/{letter_id}/document")
        return answer.headers.get("Content-Type", ""), answer.content

    def notifications(self, personnummer: str | None = None) -> list[dict]:
        params = {"personnummer": personnummer} if personnummer else {}
        return self._call("GET", "/api/notifications", params=params).json()

    def read_as_citizen(self, personnummer: str, message_id: str) -> None:
        """Log in on the citizen pages and open the message: it is read at the simulator's time."""
        browser = CitizenBrowser(self.base_url)
        try:
            browser.log_in(personnummer)
            browser.open_thread(message_id)
        except requests.RequestException as exc:
            raise SimulatorError(f"reading message {message_id} as the citizen: {exc}") from None
