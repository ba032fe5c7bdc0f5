"""The paper outbox: what a print-and-distribution service receives from a care system.

A letter's metadata comes in through the control API's model (simulator.citizen.api,
errors name the field); the letter itself is decoded and checked here. It is "delivered"
``postal_delivery_days`` after it was received, on the simulator clock, so a test can
advance the clock and see the paper arrive. A protected person's letter (CH-10) never
carries an address: the care system must not send one, and the pages show only
"skyddad adress"."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import uuid
from typing import Any

from simulator.population.domain import Citizen, FieldError

DEFAULT_POSTAL_DAYS = 2
MAX_PDF_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 100_000
STATUS_LABELS = {"in_transit": "Under postgång", "delivered": "Levererat"}


@dataclasses.dataclass(frozen=True)
class Submission:
    """A letter's metadata as the control API's model validated it."""

    personnummer: str
    sender_name: str | None
    sender_hsa_id: str | None
    business_object_id: str | None = None
    booking_id: str | None = None
    reason_rule_ids: tuple[str, ...] = ()
    protected_route: bool = False
    address: dict[str, str] | None = None
    postal_delivery_days: int | None = None  # None: DEFAULT_POSTAL_DAYS

    def __post_init__(self) -> None:
        assert self.sender_name or self.sender_hsa_id, "the model requires a sender"


@dataclasses.dataclass(frozen=True)
class Document:
    content_type: str
    data: bytes


def pdf_document(data: bytes, field: str) -> Document:
    if len(data) > MAX_PDF_BYTES:
        raise FieldError(field, f"PDF is larger than {MAX_PDF_BYTES} bytes")
    if not data.startswith(b"%PDF-"):
        raise FieldError(field, "is not a PDF (it must start with %PDF-)")
    return Document("application/pdf", data)


def text_document(text: Any, field: str = "text") -> Document:
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
        raise FieldError(field, f"must be non-empty text of at most {MAX_TEXT_CHARS} characters")
    return Document("text/plain; charset=utf-8", text.encode("utf-8"))


def json_document(data: dict) -> Document:
    """The letter from the JSON body: ``pdf_base64`` or ``text``, exactly one."""
    if ("pdf_base64" in data) == ("text" in data):
        raise FieldError("pdf_base64", "send exactly one of pdf_base64 (the letter as PDF) or text")
    if "text" in data:
        return text_document(data["text"])
    encoded = data["pdf_base64"]
    if not isinstance(encoded, str) or len(encoded) > MAX_PDF_BYTES * 4 // 3 + 8:
        raise FieldError("pdf_base64", "must be base64 text of a PDF")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise FieldError("pdf_base64", "is not valid base64") from None
    return pdf_document(raw, "pdf_base64")


def new_letter(
    submission: Submission, document: Document, citizen: Citizen | None, now: dt.datetime, submitted_by: str | None
) -> dict:
    """A row for the outbox from a submission the control API's model let in (the one
    door for its wire format: simulator.citizen.api). What is left here is the outbox's
    own rule: CH-10, which depends on the citizen, not on the request's shape."""
    route = submission.protected_route
    address = submission.address
    protected = route or bool(citizen and citizen.is_protected)
    if protected and address:
        raise FieldError(
            "address",
            "CH-10: a letter to a protected person must not carry an address; "
            "send it through the protected-address route without one",
        )
    warnings = []
    if citizen is None:
        warnings.append("Personen finns inte i den simulerade befolkningen.")
    elif citizen.is_protected and not route:
        warnings.append(
            "CH-10: personen har skyddade personuppgifter men brevet är inte flaggat för "
            "skyddad adress-vägen (protected_address_route)."
        )
    days = submission.postal_delivery_days
    return {
        "letter_id": str(uuid.uuid4()),
        "personnummer": submission.personnummer,
        "business_object_id": submission.business_object_id,
        "booking_id": submission.booking_id,
        "sender_name": submission.sender_name,
        "sender_hsa_id": submission.sender_hsa_id,
        "reason_rule_ids": list(submission.reason_rule_ids),
        "protected_route": route,
        "protected_citizen": protected,
        "address": None if protected else address,
        "warnings": warnings,
        "content_type": document.content_type,
        "document": document.data,
        "submitted_by": submitted_by,
        "received_at": now,
        "postal_delivery_days": DEFAULT_POSTAL_DAYS if days is None else days,
    }


def delivered_at(letter: dict) -> dt.datetime:
    return letter["received_at"] + dt.timedelta(days=letter["postal_delivery_days"])


def status(letter: dict, now: dt.datetime) -> str:
    """Computed from the clock, never stored: moving the clock moves the post."""
    return "delivered" if now >= delivered_at(letter) else "in_transit"
