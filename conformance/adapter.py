"""The vendor side of a run: the vendor-adapter protocol (conformance/adapter-openapi.yaml)
over HTTP, or a human tester at the vendor's UI (``--manual``).

The adapter is how the suite asks the vendor's system to book, update and cancel, to
move its clock (unless it reads the simulator's), to report the paper letters and SMS it
sent (unless it uses the simulator's outboxes) and to say when it has done everything
that is due (``settle``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections.abc import Callable

import requests

from conformance import rest

TIMEOUT = 60


class AdapterError(Exception):
    """The adapter refused or failed a request; the message names the call and the answer."""


@dataclasses.dataclass(frozen=True)
class AdapterInfo:
    """GET /health: who the vendor is and how its system is wired to the simulator."""

    vendor: str = "unknown vendor"
    system: str = "unknown system"
    version: str = "unknown"
    profiles: tuple[str, ...] = ("rjl", "vgr")
    clock: str = "simulator"  # simulator: reads the simulator clock; adapter: POST /clock
    paper: str = "simulator"  # simulator: posts to /api/paper-letters; adapter: GET /sent/paper
    sms: str = "adapter"  # adapter: GET /sent/sms; none: the system sends no SMS
    settle: bool = False  # GET /idle says when due work is done
    consumer_hsa_id: str = ""  # x-rivta-original-serviceconsumer-hsaid of its calls
    booking_status: bool = False  # GET /bookings/{id} tells pending/dispatched/cancelled/manual
    reports: bool = False  # GET /reports gives the vendor's channel shares and read receipts (RP-01, RP-02)
    source_systems: tuple[str, ...] = ()  # its own AddMessage sourceSystem HSA-ids [consumer_hsa_id]
    logical_addresses: dict = dataclasses.field(default_factory=dict)  # contract -> LogicalAddress it calls
    idle_in_health: bool = False  # GET /health carries "idle" (the reference engine's form)

    @classmethod
    def from_json(cls, data: dict) -> AdapterInfo:
        """Also reads the reference engine's health form: ``reads_simulator_clock`` for
        ``clock`` and an ``idle`` flag in place of GET /idle."""
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        for name in ("profiles", "source_systems"):
            if name in values:
                values[name] = tuple(values[name])
        if "clock" not in data and isinstance(data.get("reads_simulator_clock"), bool):
            values["clock"] = "simulator" if data["reads_simulator_clock"] else "adapter"
        if "settle" not in data and isinstance(data.get("idle"), bool):
            values["idle_in_health"] = True
        return cls(**values)

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["profiles"] = list(self.profiles)
        data["source_systems"] = list(self.source_systems)
        return data

    def own_source_systems(self) -> tuple[str, ...]:
        """MC-03 ownership: the HSA-ids the vendor's sourceSystem may carry."""
        return self.source_systems or ((self.consumer_hsa_id,) if self.consumer_hsa_id else ())


class HttpAdapter:
    def __init__(self, base_url: str, grace_seconds: float = 3.0):
        self.base_url = base_url.rstrip("/")
        self.http = rest.session()
        self.grace_seconds = grace_seconds
        self._info: AdapterInfo | None = None
        self._settle_lock = threading.Lock()
        self._idle_poll_began = 0.0

    def _call(self, method: str, path: str, expect=(200, 201), **kwargs) -> requests.Response:
        return rest.call(self.http, self.base_url, method, path, expect, AdapterError, TIMEOUT, **kwargs)

    def info(self) -> AdapterInfo:
        if self._info is None:
            self._info = AdapterInfo.from_json(self._call("GET", "/health", expect=(200,)).json())
        return self._info

    # bookings ------------------------------------------------------------------------------
    def book(self, booking: dict) -> dict:
        return self._call("POST", "/bookings", json=booking).json()

    def update(self, booking_id: str, changes: dict) -> dict:
        return self._call("PUT", f"/bookings/{booking_id}", expect=(200,), json=changes).json()

    def cancel(self, booking_id: str) -> dict:
        return self._call("POST", f"/bookings/{booking_id}/cancel", expect=(200,)).json()

    def record(self, booking_id: str) -> dict | None:
        """GET /bookings/{id}: the vendor's record (status, and any decision it shares)."""
        if not self.info().booking_status:
            return None
        return self._call("GET", f"/bookings/{booking_id}", expect=(200,)).json()

    def status(self, booking_id: str) -> str | None:
        """pending/dispatched/cancelled/manual, or None when the adapter does not tell."""
        record = self.record(booking_id)
        return None if record is None else record.get("status")

    def reports(self, booking_ids: list[str]) -> dict | None:
        """GET /reports (RP-01, RP-02): the vendor's own account of channels and reads."""
        if not self.info().reports:
            return None
        return self._call("GET", "/reports", expect=(200,), params={"booking_id": booking_ids}).json()

    # time ----------------------------------------------------------------------------------
    def move_clock(self, instant: dt.datetime) -> None:
        if self.info().clock == "adapter":
            self._call("POST", "/clock", expect=(200,), json={"set": instant.isoformat()})

    def settle(self, timeout: float = 60) -> bool:
        """Wait until the vendor has done what is due now: poll GET /idle, or without it
        (Health.settle false) wait the grace period. Scenarios running side by side share
        the polling: an idle answer to a poll that began after a caller arrived serves it."""
        info = self.info()
        if not (info.settle or info.idle_in_health):
            time.sleep(self.grace_seconds)
            return True
        path = "/idle" if info.settle else "/health"
        arrived = time.monotonic()
        deadline = arrived + timeout
        with self._settle_lock:
            while self._idle_poll_began < arrived:
                began = time.monotonic()
                try:
                    idle = self._call("GET", path, expect=(200,)).json().get("idle")
                except AdapterError:
                    if time.monotonic() > deadline:
                        raise
                    idle = False  # a busy system may fail a poll; ask again
                if idle:
                    self._idle_poll_began = began
                    break
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.25)
        return True

    # what the vendor sent outside the simulator ---------------------------------------------
    def sent_sms(self, personnummer: str) -> list[dict]:
        if self.info().sms != "adapter":
            return []
        return self._call("GET", "/sent/sms", expect=(200,), params={"personnummer": personnummer}).json()["items"]

    def sent_paper(self, personnummer: str) -> list[dict]:
        return self._call("GET", "/sent/paper", expect=(200,), params={"personnummer": personnummer}).json()["items"]

    @property
    def parallel(self) -> bool:
        return True


class ManualAdapter:
    """A human performs each step in the vendor's UI and presses Enter. Used for systems
    that cannot be automated; scenarios then run one at a time."""

    def __init__(self, info: AdapterInfo, ask: Callable[[str], str], say: Callable[[str], None]):
        self._info = info
        self.ask = ask
        self.say = say

    def info(self) -> AdapterInfo:
        return self._info

    def _step(self, text: str) -> None:
        self.say("\n" + text)
        self.ask("Press Enter when done")

    def book(self, booking: dict) -> dict:
        shown = {k: v for k, v in booking.items() if v not in (None, "", [], False)}
        self._step(
            "Create this booking in your system and let it send the kallelse:\n"
            + json.dumps(shown, ensure_ascii=False, indent=2)
        )
        return {"booking_id": booking["booking_id"]}

    def update(self, booking_id: str, changes: dict) -> dict:
        self._step(f"Change booking {booking_id} in your system:\n" + json.dumps(changes, ensure_ascii=False, indent=2))
        return {"booking_id": booking_id}

    def cancel(self, booking_id: str) -> dict:
        self._step(f"Cancel booking {booking_id} in your system.")
        return {"booking_id": booking_id}

    def record(self, booking_id: str) -> dict | None:
        return None

    def reports(self, booking_ids: list[str]) -> dict | None:
        return None

    def status(self, booking_id: str) -> str | None:
        answer = (
            self.ask(
                f"Status of booking {booking_id} in your system "
                "(pending/dispatched/cancelled/manual, empty if not shown)"
            )
            .strip()
            .lower()
        )
        return answer or None

    def move_clock(self, instant: dt.datetime) -> None:
        if self._info.clock == "adapter":
            self._step(f"Set your system's clock to {instant.isoformat()}.")

    def settle(self, timeout: float = 60) -> bool:
        self._step("Let your system run everything that is due now (batch jobs, timers).")
        return True

    def sent_sms(self, personnummer: str) -> list[dict]:
        if self._info.sms != "adapter":
            return []
        count = self.ask(f"How many SMS has your system sent to {personnummer}? (number)").strip()
        items = []
        for index in range(int(count or 0)):
            text = self.ask(f"Text of SMS {index + 1}")
            items.append({"recipient": "", "text": text, "sent_at": None})
        return items

    def sent_paper(self, personnummer: str) -> list[dict]:
        count = self.ask(f"How many paper letters has your system sent to {personnummer}? (number)").strip()
        return [{"protected_address_route": None, "address": None} for _ in range(int(count or 0))]

    @property
    def parallel(self) -> bool:
        return False
