"""``/api/citizens/<personnummer>/inbox``: what a care system's AddMessage calls left in a
citizen's 1177 inbox, grouped in threads by businessObjectId, with read status and read
time, so a test can assert on what was stored rather than on what was answered."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, jsonify

from simulator.auth.access import caller_consumer
from simulator.control import models, params
from simulator.control.spec import API, Error, answers, query
from simulator.errors import NotFound
from simulator.inbox.store import InboxStore


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _json_column(raw, default):
    """Columns the store keeps as JSON text (DocBook violations, urlConfiguration)."""
    return json.loads(raw) if raw else default


def _group(message: dict, prefix: str, names: dict[str, str]) -> dict | None:
    """Columns ``<prefix>_<column>`` as one object named after the contract's group, or
    None when the consumer sent none of them."""
    group = {name: message.get(f"{prefix}_{column}") for name, column in names.items()}
    return group if any(value is not None for value in group.values()) else None


FACILITY = {
    "hsa_id": "hsa_id",
    "name": "name",
    "address": "address",
    "postal_code": "postal_code",
    "postal_city": "postal_city",
    "telephone": "telephone",
}
BOOKING = {
    "booking_id": "id",
    "is_invitation": "is_invitation",
    "is_open_invitation": "is_open_invitation",
    "rebooking_allowed": "rebooking_allowed",
    "cancel_booking_allowed": "cancel_allowed",
    "cancelled": "cancelled",
    "booking_date": "date",
}
PLAIN = (
    "message_id",
    "business_object_id",
    "action_date",
    "action_time",
    "case_type_id",
    "case_type_description",
    "header_text",
    "msg",
    "notify",
    "source_system",
    "consumer",
    "logical_address",
    "case_read_status",
    "user_selection_status",
    "docbook_ok",
    "result_code",
)


def message_json(message: dict, with_xml: bool = False) -> dict:
    data = {name: message.get(name) for name in PLAIN}
    data.update(
        received_at=_iso(message["received_at"]),
        read_at=_iso(message["read_at"]),
        facility=_group(message, "facility", FACILITY),
        booking=_group(message, "booking", BOOKING),
        url_configuration=_json_column(message.get("url_configuration"), None),
        docbook_violations=_json_column(message.get("docbook_violations"), []),
    )
    if with_xml:
        data["message_xml"] = message["message_xml"]
    return data


def thread_json(thread: dict, with_xml: bool = False) -> dict:
    return {
        "thread_key": thread["thread_key"],
        "business_object_id": thread["business_object_id"],
        "case_type_description": thread["case_type_description"],
        "header_text": thread["header_text"],
        "facility_name": thread["facility_name"],
        "unread_count": thread["unread_count"],
        "latest_at": _iso(thread["latest_at"]),
        "user_selection_status": thread["user_selection_status"],
        "messages": [message_json(m, with_xml) for m in thread["messages"]],
    }


def create_blueprint(runtime) -> Blueprint:
    api = Blueprint("control_inbox", __name__, url_prefix="/api")
    store = InboxStore(runtime.db)

    @api.get("/citizens/<personnummer>/inbox")
    @API.validate(
        query=models.InboxQuery, resp=answers(HTTP_200=models.Inbox, HTTP_404=Error), tags=["citizens", "inbox"]
    )
    def citizen_inbox(personnummer: str):
        """What AddMessage stored for a citizen, in threads by businessObjectId (MC-09), newest first."""
        personnummer = params.personnummer(personnummer)
        asked = query(models.InboxQuery)
        status, with_xml = asked.status, asked.include_xml
        # A vendor (shared mode) gets the threads of its own messages, counted in the query.
        threads = store.threads(personnummer, consumer=caller_consumer())
        if not threads and runtime.citizens.get(personnummer) is None:
            raise NotFound("personnummer", "no citizen and no inbox messages for this personnummer")
        threads = [t for t in threads if status in (None, t["user_selection_status"])]
        messages = sum(len(t["messages"]) for t in threads)
        return jsonify(
            personnummer=personnummer,
            thread_count=len(threads),
            message_count=messages,
            unread_count=sum(t["unread_count"] for t in threads),
            threads=[thread_json(t, with_xml) for t in threads],
        )

    return api
