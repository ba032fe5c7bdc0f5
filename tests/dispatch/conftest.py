"""Helpers for driving the dispatch core through real HTTP: a running ``kallelse serve``
(with its dispatch worker), citizens made for each test, a frozen simulator clock that
tests move, and waits for the worker to finish what is due."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from zoneinfo import ZoneInfo

import pytest
import requests

from simulator.population.personnummer import with_check_digit
from tests.support import SimulatorProcess

SWEDEN = ZoneInfo("Europe/Stockholm")
FACILITY = {
    "hsa_id": "SE2321000065-E12",
    "name": "Klinisk fysiologi Ryhov",
    "address": "Sjukhusgatan 1",
    "postal_code": "55305",
    "city": "Jönköping",
    "phone": "010-242 00 00",
    "directions_url": "https://rjl.se/hitta/klinisk-fysiologi",
}
_serials = itertools.count(100)
_bookings = itertools.count(1)


class Dispatch:
    """A small client for one simulator with the dispatch core."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    # clock
    def clock(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.http.get(f"{self.url}/api/clock").json()["now"])

    def advance(self, duration: str) -> None:
        assert self.http.post(f"{self.url}/api/clock", json={"advance": duration}).status_code == 200

    def set_clock(self, instant: dt.datetime) -> None:
        answer = self.http.post(f"{self.url}/api/clock", json={"set": instant.isoformat(), "freeze": True})
        assert answer.status_code == 200, answer.text

    # citizens
    def citizen(
        self,
        born: dt.date,
        *,
        account: str = "reachable",
        optout: bool = False,
        sms: bool = True,
        samordning: bool = False,
        **extra,
    ) -> str:
        """A new citizen; account: reachable | no_notifications | inactive | none."""
        day = born.day + (60 if samordning else 0)
        pnr = with_check_digit(f"{born:%Y%m}{day:02d}{next(_serials) % 1000:03d}")
        accounts = {
            "reachable": {
                "exists": True,
                "active": True,
                "sms_notification": sms,
                "email_notification": not sms,
                "mobile": "+46701234567",
                "email": "test@example.se",
            },
            "no_notifications": {"exists": True, "active": True},
            "inactive": {"exists": True, "active": False},
            "none": {"exists": False},
        }
        body = {
            "personnummer": pnr,
            "given_name": "Test",
            "surname": f"Person{next(_serials)}",
            "address": {"street": "Storgatan 1", "postal_code": "55316", "city": "Jönköping"},
            "optout_paper": optout,
            "account": accounts[account],
            **extra,
        }
        answer = self.http.post(f"{self.url}/api/citizens", json=body)
        if answer.status_code == 409:  # the serial is taken: try the next one
            return self.citizen(born, account=account, optout=optout, sms=sms, samordning=samordning, **extra)
        assert answer.status_code == 201, answer.text
        return pnr

    # bookings
    def booking(self, pnr: str, visit_in: dt.timedelta | None = dt.timedelta(days=14), **fields) -> dict:
        body = {
            "booking_id": f"T-{next(_bookings)}-{time.monotonic_ns() % 100000}",
            "personnummer": pnr,
            "visit_type": "Arbetsprov",
            "facility": FACILITY,
            "preparations": "Ät lätt före besöket.",
            "form_url": "https://formular.rjl.se/halsodeklaration",
            "profile": "rjl",
            **fields,
        }
        if visit_in is not None and "visit_start" not in fields and body.get("type") != "open_invitation":
            body["visit_start"] = (self.clock() + visit_in).isoformat()
        answer = self.http.post(f"{self.url}/dispatch/api/bookings", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def get(self, booking_id: str) -> dict:
        answer = self.http.get(f"{self.url}/dispatch/api/bookings/{booking_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def decision(self, booking_id: str) -> dict:
        return self.http.get(f"{self.url}/dispatch/api/bookings/{booking_id}/decision").json()

    def settle(self, booking_id: str, timeout: float = 30) -> dict:
        """Wait until the worker has run every step of the booking that is due now."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.get(booking_id)
            now = self.clock()
            open_due = [
                s
                for s in view["steps"]
                if s["state"] in ("todo", "sending") and dt.datetime.fromisoformat(s["due_at"]) <= now
            ]
            if not open_due and view["status"] != "pending":
                return view
            if time.monotonic() > deadline:
                raise AssertionError(f"booking {booking_id} did not settle: {view['steps']}")
            time.sleep(0.1)

    # what the citizen received
    def messages(self, booking: dict) -> list[dict]:
        answer = self.http.get(f"{self.url}/api/citizens/{booking['booking']['personnummer']}/inbox")
        threads = answer.json().get("threads", []) if answer.status_code == 200 else []
        return [
            m
            for t in threads
            for m in t["messages"]
            if m.get("booking", {}).get("booking_id") == booking["booking_id"]
            or m["business_object_id"].startswith(booking["business_object_id"])
        ]

    def letters(self, booking: dict) -> list[dict]:
        return [
            letter
            for letter in self.http.get(
                f"{self.url}/api/paper-letters", params={"personnummer": booking["booking"]["personnummer"]}
            ).json()
            if letter["booking_id"] == booking["booking_id"]
        ]

    def sms(self, pnr: str) -> list[dict]:
        return self.http.get(f"{self.url}/api/sms-gateway/messages", params={"personnummer": pnr}).json()

    def citizen_session(self, pnr: str) -> requests.Session:
        """Logged in on the citizen pages as ``pnr`` (the simulated 1177 login)."""
        browser = requests.Session()
        page = browser.get(f"{self.url}/inkorg/logga-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert browser.post(f"{self.url}/inkorg/logga-in", data={"csrf_token": token, "personnummer": pnr}).ok
        return browser

    def read_as_citizen(self, pnr: str, message_id: str) -> None:
        """Open the message on the citizen pages (marks it read)."""
        assert self.citizen_session(pnr).get(f"{self.url}/inkorg/arende/{message_id}").status_code == 200

    def settings(self, **body) -> dict:
        answer = self.http.put(f"{self.url}/dispatch/api/settings", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def dispatch_server(tmp_path_factory):
    server = SimulatorProcess(tmp_path_factory.mktemp("dispatch")).start()
    yield server
    server.stop()


@pytest.fixture()
def dispatch(dispatch_server) -> Dispatch:
    """The module's simulator with a frozen clock and default dispatch settings."""
    client = Dispatch(dispatch_server.url)
    client.http.post(f"{client.url}/api/clock", json={"freeze": True})
    client.settings(
        endpoints={
            "pu": "",
            "userprofile": "",
            "inbox": "",
            "message_status": "",
            "paper_outbox": "",
            "sms_gateway": "",
            "timeout_seconds": 10,
        },
    )
    client.http.delete(f"{client.url}/api/behaviours")
    return client


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def today(dispatch: Dispatch) -> dt.date:
    return dispatch.clock().astimezone(SWEDEN).date()
