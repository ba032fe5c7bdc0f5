"""Roles and what each may do: pure, so the policy is tested without a server.

* **admin**: everything (reset, clock, behaviours, routing, citizens, tokens' effects).
* **vendor**: bound to its consumer HSA-id: reads its own traffic, threads, inbox
  messages, notifications, paper letters, citizen actions, callbacks, SMS and conformance
  runs, the population and the clock; hands paper letters, SMS and callback URLs in and
  starts conformance runs; changes nothing that would touch another vendor's run. The
  dispatch worker of ``kallelse serve --shared`` holds one, bound to its own consumer.
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
# Every list a vendor reads is scoped to its consumer HSA-id in the store's query.
VENDOR_READS = frozenset(
    {
        "control.health",
        "control.get_clock",
        "control_openapi.openapi_document",
        "control_citizens.list_citizens",
        "control_citizens.get_citizen",
        "control_inbox.citizen_inbox",  # its own messages
        "citizen_api.thread",  # read status of its own messages
        "citizen_api.notifications",  # SMS/e-mail for its own messages
        "citizen_api.letters",  # the paper letters it sent
        "citizen_api.letter",
        "citizen_api.letter_document",
        "citizen_api.actions",  # citizen actions on its own messages
        "citizen_api.list_callbacks",  # its own registrations
        "sms_gateway.listing",  # what it sent through the SMS gateway
        "platform.list_traffic",  # its own consumer's calls
        "platform.get_traffic",
        "platform.export_traffic",
        "certification.index",  # its own conformance runs
        "certification.run",
        "certification.download",
        "certification.public_key",
        "contract_file",
    }
)
# What a care system hands in as itself (the dispatch worker's token is a vendor token).
VENDOR_WRITES = frozenset(
    {
        "citizen_api.submit_letter",
        "citizen_api.submit_letters",  # several at once
        "citizen_api.register_callback",
        "citizen_api.delete_callback",  # its own registration only
        "sms_gateway.send",
        "certification.start",
    }
)


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
