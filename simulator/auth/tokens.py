"""Roles and what each may do: pure, so the policy is tested without a server.

* **admin**: everything (reset, clock, behaviours, routing, citizens, tokens' effects).
* **vendor**: bound to its consumer HSA-id: reads its own traffic, threads and inbox
  messages, the population and the clock, and hands paper letters and callback URLs in;
  changes nothing that would touch another vendor's run.
* **viewer**: reads everything, changes nothing (trainers)."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from enum import StrEnum

READING = frozenset({"GET", "HEAD", "OPTIONS"})
PREFIX = "kt_"


class Role(StrEnum):
    ADMIN = "admin"
    VENDOR = "vendor"
    VIEWER = "viewer"


# Endpoints (Flask endpoint names) a vendor may call; anything else is admin's or viewer's.
VENDOR_READS = frozenset(
    {
        "control.health",
        "control.get_clock",
        "control_openapi.openapi_document",
        "control_citizens.list_citizens",
        "control_citizens.get_citizen",
        "control_inbox.citizen_inbox",  # scoped to its own messages
        "citizen_api.thread",  # scoped to its own messages
        "platform.list_traffic",  # scoped to its own consumer
        "platform.get_traffic",
        "platform.export_traffic",
    }
)
VENDOR_WRITES = frozenset({"citizen_api.submit_letter"})


@dataclasses.dataclass(frozen=True)
class Token:
    id: int
    name: str
    role: Role
    consumer: str | None  # the vendor's consumer HSA-id
    created: str
    revoked: bool = False


def new_secret() -> str:
    """What the holder presents as ``Authorization: Bearer kt_...`` (shown once)."""
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Stored instead of the secret. A random 256-bit token needs no slow hash: there is
    nothing to guess from its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def may(role: Role, method: str, endpoint: str | None) -> bool:
    """Whether ``role`` may call ``endpoint`` (Flask's name for the route) with ``method``."""
    if role is Role.ADMIN:
        return True
    reading = method in READING
    if role is Role.VIEWER:
        return reading
    if endpoint is None:
        return False
    return endpoint in (VENDOR_READS if reading else VENDOR_WRITES)
