"""What the runner does after the dispatch scenarios' load: wait for the dispatch core to
drain (no step due on the simulator clock), and for the screening campaign also let a
sample of citizens read their kallelse, advance the clock by the profile's fallback time
so FB-01 fires for the unread ones, and drain again. Every wait is timed: "time to drain"
is how long the dispatch core needs after the last booking was accepted."""

from __future__ import annotations

import datetime as dt
import time
import urllib.parse

import requests

from loadtests import ledger
from simulator.citizen.client import CitizenBrowser

READ_SAMPLE = 0.05  # share of digital-only kallelser a citizen reads before the fallback
READ_SAMPLE_MAX = 200


def work_due(http: requests.Session, url: str) -> int:
    """Bookings with a step due now: the conformance adapter's ``/idle`` (one COUNT), else
    the dispatch report's ``work_due``, else counted from the booking list."""
    idle = http.get(f"{url}/dispatch/adapter/idle", timeout=60)
    if idle.status_code == 200 and "pending" in idle.json():
        return int(idle.json()["pending"])
    report = http.get(f"{url}/dispatch/api/report", timeout=300).json()
    if "work_due" in report:
        return int(report["work_due"])
    now = dt.datetime.fromisoformat(http.get(f"{url}/api/clock", timeout=30).json()["now"])
    due, offset = 0, 0
    while True:
        page = http.get(f"{url}/dispatch/api/bookings", params={"limit": 1000, "offset": offset}, timeout=300).json()
        due += sum(
            1
            for b in page
            if any(
                s["state"] in ("todo", "sending") and dt.datetime.fromisoformat(s["due_at"]) <= now for s in b["steps"]
            )
        )
        if len(page) < 1000:
            return due
        offset += 1000


def wait_for_drain(url: str, timeout: float, echo, poll: float = 2.0) -> float | None:
    """Seconds until nothing is due, or None if ``timeout`` ran out first."""
    http = requests.Session()
    began = time.monotonic()
    last_told = 0.0
    while time.monotonic() - began < timeout:
        due = work_due(http, url)
        if due == 0:
            return round(time.monotonic() - began, 1)
        if time.monotonic() - last_told > 30:
            echo(f"  draining: {due} bookings with work due ...")
            last_told = time.monotonic()
        time.sleep(poll)
    return None


def _drain_timeout(bookings: int) -> float:
    return max(120.0, bookings * 0.5)


def burst_figures(entries: list[dict]) -> dict:
    if not entries:
        return {"bookings": 0}
    times = sorted(e["accepted_at"] for e in entries)
    burst = max(times[-1] - times[0], 1e-3)
    return {"bookings": len(entries), "burst_s": round(burst, 1), "bookings_per_s": round(len(entries) / burst, 1)}


def _poll_seconds(bookings: int) -> float:
    """How often to ask whether work is due: one indexed COUNT, cheap enough to ask twice
    a second (the drain is timed to the poll, so a coarse poll would hide a fast drain)."""
    return max(0.5, min(5.0, bookings / 20000))


def drain_after_load(url: str, options, echo) -> dict:
    entries = ledger.read(options.report / "ledger").get("booking", [])
    echo(f"waiting for the dispatch core to drain {len(entries)} bookings ...")
    drain = wait_for_drain(url, _drain_timeout(len(entries)), echo, _poll_seconds(len(entries)))
    figures = {**burst_figures(entries), "drain_s": drain}
    if drain is not None and entries:
        # A small burst on an idle machine can post and drain within the rounding: never 0 s.
        elapsed = max(figures.get("burst_s", 0) + drain, 1e-3)
        figures["kallelser_per_s"] = round(len(entries) / elapsed, 1)
    return figures


def _digital_only(http: requests.Session, url: str, limit: int) -> dict[str, str]:
    """The newest ``limit`` bookings decided digital only, booking id -> businessObjectId,
    in one list call (asking each booking of the ledger in turn cost one request per
    booking, ~450 for a sample of 150)."""
    params: dict[str, str | int] = {"outcome": "digital_only", "limit": min(1000, limit)}
    page = http.get(f"{url}/dispatch/api/bookings", params=params, timeout=300).json()
    return {b["booking_id"]: b["business_object_id"] for b in page if b.get("outcome") == "digital_only"}


def read_sample(url: str, entries: list[dict], options, echo) -> int:
    """Citizens open a sample of their digital-only kallelser before the fallback time
    (FB-02: no paper for them); each read goes to the ledger like any other."""
    http = requests.Session()
    wanted = min(READ_SAMPLE_MAX, max(1, int(len(entries) * READ_SAMPLE)))
    digital_only = _digital_only(http, url, 3 * wanted)
    sink = ledger.Ledger(options.report / "ledger")
    read = 0
    for entry in entries:
        if read >= wanted:
            break
        if entry["booking_id"] not in digital_only:
            continue
        # the kallelse's own thread (RP-02's read-status API), not the citizen's whole inbox
        thread = http.get(
            f"{url}/api/threads/{urllib.parse.quote(digital_only[entry['booking_id']], safe=':')}",
            params={"personnummer": entry["pnr"]},
            timeout=60,
        )
        messages = thread.json().get("messages", []) if thread.status_code == 200 else []
        message = next((m for m in messages if m.get("booking_id") == entry["booking_id"]), None)
        if message is None:
            continue
        browser = CitizenBrowser(url)
        browser.log_in(entry["pnr"])
        browser.open_thread(message["message_id"])
        sink.record("read", pnr=entry["pnr"], message_id=message["message_id"], booking_id=entry["booking_id"])
        read += 1
    sink.close()
    echo(f"  {read} citizens read their kallelse before the fallback time")
    return read


def fallback_days(url: str) -> int:
    profiles = requests.get(f"{url}/dispatch/api/settings", timeout=30).json()["profiles"]
    return max(p["fallback_days"] for p in profiles.values())


def screening_after_load(url: str, options, echo) -> dict:
    figures = drain_after_load(url, options, echo)
    if figures["drain_s"] is None:
        return figures
    entries = ledger.read(options.report / "ledger").get("booking", [])
    figures["read_before_fallback"] = read_sample(url, entries, options, echo)
    days = fallback_days(url)
    answer = requests.post(f"{url}/api/clock", json={"advance": f"P{days}D"}, timeout=30)
    answer.raise_for_status()
    figures["clock_advanced"] = f"P{days}D"
    echo(f"clock advanced {days} days: fallbacks (FB-01/FB-02) fire ...")
    figures["fallback_drain_s"] = wait_for_drain(url, _drain_timeout(len(entries)), echo, _poll_seconds(len(entries)))
    return figures
