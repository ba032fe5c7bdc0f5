"""The paper outbox: what a print-and-distribution service receives from a care system.

A letter is checked like any other input (errors name the field) and is "delivered"
``postal_delivery_days`` after it was received, on the simulator clock, so a test can
advance the clock and see the paper arrive. A protected person's letter (CH-10) never
carries an address: the care system must not send one, and the pages show only
"skyddad adress"."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import re
import uuid
from typing import Any

from simulator.population.domain import Citizen, FieldError, validate_personnummer

DEFAULT_POSTAL_DAYS = 2
MAX_PDF_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 100_000
RULE_ID = re.compile(r"^[A-Z]{2}-[0-9]{2}$")
ADDRESS_FIELDS = ("name", "street", "care_of", "postal_code", "city")
FIELDS = {
    "personnummer",
    "business_object_id",
    "booking_id",
    "sender_facility",
    "reason_rule_ids",
    "protected_address_route",
    "address",
    "postal_delivery_days",
    "pdf_base64",
    "text",
}
STATUS_LABELS = {"in_transit": "Under postgång", "delivered": "Levererat"}


@dataclasses.dataclass(frozen=True)
class Document:
    content_type: str
    data: bytes


def _string(data: dict, name: str, maxlen: int = 255, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise FieldError(name, "is required")
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > maxlen:
        raise FieldError(name, f"must be a non-empty string of at most {maxlen} characters")
    return value.strip()


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


def _sender(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        raise FieldError("sender_facility", "is required (an object with name and hsa_id)")
    if not isinstance(value, dict) or set(value) - {"name", "hsa_id"}:
        raise FieldError("sender_facility", "must be an object with name and hsa_id")
    name = _string(value, "name") if "name" in value else None
    hsa_id = _string(value, "hsa_id") if "hsa_id" in value else None
    if not name and not hsa_id:
        raise FieldError("sender_facility.name", "name or hsa_id is required")
    return name, hsa_id


def _rule_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > 50
        or not all(isinstance(v, str) and RULE_ID.match(v) for v in value)
    ):
        raise FieldError("reason_rule_ids", 'must be a list of guideline rule IDs such as "CH-06"')
    return value


def _address(value: Any) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FieldError("address", "must be an object")
    unknown = set(value) - set(ADDRESS_FIELDS)
    if unknown:
        raise FieldError(f"address.{sorted(unknown)[0]}", "unknown field")
    for name in value:
        if value[name] is not None and (not isinstance(value[name], str) or len(value[name]) > 200):
            raise FieldError(f"address.{name}", "must be a string of at most 200 characters")
    return {k: v for k, v in value.items() if v}


def _postal_days(value: Any) -> int:
    if value is None:
        return DEFAULT_POSTAL_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 30:
        raise FieldError("postal_delivery_days", "must be a whole number of days from 0 to 30")
    return value


def new_letter(
    data: Any, document: Document, citizen: Citizen | None, now: dt.datetime, submitted_by: str | None
) -> dict:
    """Validate a submission into a row for the outbox (FieldError names the field)."""
    if not isinstance(data, dict):
        raise FieldError("body", "must be a JSON object")
    unknown = set(data) - FIELDS
    if unknown:
        raise FieldError(sorted(unknown)[0], "unknown field")
    personnummer = validate_personnummer(data.get("personnummer"))
    route = data.get("protected_address_route", False)
    if not isinstance(route, bool):
        raise FieldError("protected_address_route", "must be true or false")
    sender_name, sender_hsa = _sender(data.get("sender_facility"))
    address = _address(data.get("address"))
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
    return {
        "letter_id": str(uuid.uuid4()),
        "personnummer": personnummer,
        "business_object_id": _string(data, "business_object_id"),
        "booking_id": _string(data, "booking_id"),
        "sender_name": sender_name,
        "sender_hsa_id": sender_hsa,
        "reason_rule_ids": _rule_ids(data.get("reason_rule_ids")),
        "protected_route": route,
        "protected_citizen": protected,
        "address": None if protected else address,
        "warnings": warnings,
        "content_type": document.content_type,
        "document": document.data,
        "submitted_by": submitted_by,
        "received_at": now,
        "postal_delivery_days": _postal_days(data.get("postal_delivery_days")),
    }


def delivered_at(letter: dict) -> dt.datetime:
    return letter["received_at"] + dt.timedelta(days=letter["postal_delivery_days"])


def status(letter: dict, now: dt.datetime) -> str:
    """Computed from the clock, never stored: moving the clock moves the post."""
    return "delivered" if now >= delivered_at(letter) else "in_transit"
