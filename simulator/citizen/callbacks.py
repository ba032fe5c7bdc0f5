"""Telling the care system that the citizen pressed "Avboka" or "Boka om".

The real 1177 hands such requests to the region's booking service; here a care system
registers a callback URL for its ``sourceSystem`` (``POST /api/callbacks``) and every
citizen action is POSTed there as JSON. Delivery runs in a background thread so the
citizen's page never waits for a slow care system; it is tried a bounded number of
times and every attempt is written to the action's row, so a tester sees "delivered",
"pending" or "failed" with the last error. The event row itself is written before any
delivery is tried: nothing the citizen did is lost when the care system is down."""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

import requests

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 1.0, 2.0)  # seconds between attempts: four attempts in all
TIMEOUT = 5.0


def check_url(url) -> str:
    """A callback URL must be absolute http(s); ValueError says why not."""
    if not isinstance(url, str) or len(url) > 2000:
        raise ValueError("must be an http or https URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http or https URL")
    return url


def event_json(action: dict) -> dict:
    """What the care system receives (documented in docs/citizen.md)."""
    return {
        "event_id": action["event_id"],
        "type": action["action"],
        "personnummer": action["personnummer"],
        "business_object_id": action["business_object_id"],
        "booking_id": action["booking_id"],
        "message_id": action["message_id"],
        "source_system": action["source_system"],
        "at": action["created_at"].isoformat(),
    }


def deliver(store, action: dict, url: str, delays=RETRY_DELAYS) -> bool:
    """Try until a 2xx answer or the attempts run out; records every attempt."""
    body = event_json(action)
    http = requests.Session()
    http.trust_env = False  # straight to the registered URL, never through an environment proxy
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            reply = http.post(url, json=body, timeout=TIMEOUT, allow_redirects=False)
            if 200 <= reply.status_code < 300:
                store.record_attempt(action["event_id"], "delivered", None)
                return True
            error = f"HTTP {reply.status_code}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        final = delay is None
        store.record_attempt(action["event_id"], "failed" if final else "pending", error)
        log.info("callback %s attempt %d to %s failed: %s", action["event_id"], attempt, url, error)
        if final:
            return False
        time.sleep(delay)
    return False


def deliver_in_background(store, action: dict, url: str) -> threading.Thread:
    thread = threading.Thread(
        target=deliver, args=(store, action, url), daemon=True, name=f"callback-{action['event_id'][:8]}"
    )
    thread.start()
    return thread
