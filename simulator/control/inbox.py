"""``/api/citizens/<personnummer>/inbox``: what a care system's AddMessage calls left in a
citizen's 1177 inbox, grouped in threads by businessObjectId, with read status and read
time, so a test can assert on what was stored rather than on what was answered."""
from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, jsonify

from simulator.control import params
from simulator.control.errors import NotFound
from simulator.inbox.store import InboxStore


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _violations(raw) -> list:
    """The store keeps DocBook findings as text: a JSON list, or one finding a line."""
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return [line for line in str(raw).splitlines() if line.strip()]
    return parsed if isinstance(parsed, list) else [parsed]


def message_json(message: dict, with_xml: bool = False) -> dict:
    has_facility = message.get("facility_hsa_id") or message.get("facility_name")
    data = {
        "message_id": message["message_id"],
        "business_object_id": message["business_object_id"],
        "received_at": _iso(message["received_at"]),
        "action_date": message["action_date"],
        "action_time": message["action_time"],
        "case_type_description": message["case_type_description"],
        "header_text": message["header_text"],
        "msg": message["msg"],
        "notify": message["notify"],
        "source_system": message["source_system"],
        "consumer": message["consumer"],
        "logical_address": message["logical_address"],
        "case_read_status": message["case_read_status"],
        "read_at": _iso(message["read_at"]),
        "user_selection_status": message["user_selection_status"],
        "facility": {"hsa_id": message["facility_hsa_id"], "name": message["facility_name"]}
        if has_facility else None,
        "booking": {"booking_id": message["booking_id"], "cancelled": message["booking_cancelled"],
                    "booking_date": message["booking_date"]} if message.get("booking_id") else None,
        "docbook_ok": message["docbook_ok"],
        "docbook_violations": _violations(message.get("docbook_violations")),
        "result_code": message["result_code"],
    }
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
    def citizen_inbox(personnummer: str):
        personnummer = params.personnummer(personnummer)
        status = params.query_choice("status", ("Active", "Archived"))
        with_xml = params.query_bool("include_xml") or False
        threads = store.threads(personnummer)
        if not threads and runtime.citizens.get(personnummer) is None:
            raise NotFound("personnummer", "no citizen and no inbox messages for this personnummer")
        threads = [t for t in threads if status in (None, t["user_selection_status"])]
        messages = sum(len(t["messages"]) for t in threads)
        return jsonify(personnummer=personnummer, thread_count=len(threads), message_count=messages,
                       unread_count=sum(t["unread_count"] for t in threads),
                       threads=[thread_json(t, with_xml) for t in threads])

    return api
