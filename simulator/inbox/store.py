"""Inbox messages. The message element is kept as received (``message_xml``) so every
field the consumer sent can be shown; the columns are what the inbox, the read status
and the control API query on. Free text is ``Text``: the contract sets no length, so
no length limit may turn a valid request into a database error. That holds for
``businessObjectId`` too (the contract and the TKB set no length): it is stored as
``Text`` and indexed through ``business_object_key``, a fixed-length digest, so a long
one never meets an index-size limit (PostgreSQL btree rows)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import sqlalchemy as sa

from simulator.inbox.domain import GENERAL_MESSAGE, StoredMessage
from simulator.storage import Database, UtcDateTime, metadata
from simulator.storage.fixed import FixedRead
from simulator.storage.scope import transaction

messages = sa.Table(
    "inbox_messages",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.String(36), nullable=False, unique=True),
    sa.Column("subject_of_care_id", sa.String(12), nullable=False),
    sa.Column("business_object_id", sa.Text),
    sa.Column("business_object_key", sa.String(64)),  # sha256 of business_object_id: the index
    sa.Column("thread_key", sa.String(300), nullable=False),
    sa.Column("source_system", sa.Text),
    sa.Column("consumer", sa.Text),
    sa.Column("logical_address", sa.Text),
    sa.Column("notify", sa.Boolean, nullable=False, default=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("action_date", sa.String(10), nullable=False),
    sa.Column("action_time", sa.String(8), nullable=False),
    sa.Column("case_read_status", sa.String(8), nullable=False, default="Unread"),
    sa.Column("read_at", UtcDateTime()),
    sa.Column("user_selection_status", sa.String(8), nullable=False, default="Active"),
    sa.Column("case_type_id", sa.String(64), nullable=False, default=GENERAL_MESSAGE),
    sa.Column("case_type_description", sa.Text, nullable=False),
    sa.Column("header_text", sa.Text),
    sa.Column("facility_hsa_id", sa.Text),
    sa.Column("facility_name", sa.Text),
    sa.Column("facility_address", sa.Text),
    sa.Column("facility_postal_code", sa.Text),
    sa.Column("facility_postal_city", sa.Text),
    sa.Column("facility_telephone", sa.Text),
    sa.Column("booking_id", sa.Text),
    sa.Column("booking_cancelled", sa.Boolean),
    sa.Column("booking_date", sa.Text),
    sa.Column("booking_is_invitation", sa.Boolean),
    sa.Column("booking_is_open_invitation", sa.Boolean),
    sa.Column("booking_rebooking_allowed", sa.Boolean),
    sa.Column("booking_cancel_allowed", sa.Boolean),
    sa.Column("url_configuration", sa.Text),  # JSON object (systemId, urlText, ...) or NULL
    sa.Column("msg", sa.Text, nullable=False),
    sa.Column("docbook_ok", sa.Boolean, nullable=False, default=True),
    sa.Column("docbook_violations", sa.Text),
    sa.Column("result_code", sa.String(8), nullable=False),
    sa.Column("message_xml", sa.Text, nullable=False),
)
sa.Index("ix_inbox_thread", messages.c.subject_of_care_id, messages.c.thread_key)
sa.Index("ix_inbox_business_object", messages.c.business_object_key)
_INSERT = messages.insert()
_NO_VALUES = dict.fromkeys(column.name for column in messages.columns)  # every column, for a stored message


THREAD_KEY_READABLE = 200  # a businessObjectId up to this length is readable in its thread key


def business_object_key(business_object_id: str | None) -> str | None:
    """A fixed-length, indexable stand-in for a businessObjectId of any length."""
    return hashlib.sha256(business_object_id.encode()).hexdigest() if business_object_id else None


def thread_key(message_id: str, business_object_id: str | None) -> str:
    """Messages with the same businessObjectId form one thread; one without is its own.
    A short id is kept readable (``bo:<id>``); a longer one is keyed by its digest."""
    if not business_object_id:
        return f"msg:{message_id}"
    if len(business_object_id) <= THREAD_KEY_READABLE:
        return f"bo:{business_object_id}"
    return f"bo-sha256:{business_object_key(business_object_id)}"


def row_values(message: StoredMessage, consumer: str | None = None, logical_address: str | None = None) -> dict:
    """The column values of a new message (AddMessage's producer-set fields included)."""
    facility, booking = message.facility, message.booking
    return {
        "message_id": message.message_id,
        "subject_of_care_id": message.subject_of_care_id,
        "business_object_id": message.business_object_id,
        "business_object_key": business_object_key(message.business_object_id),
        "thread_key": thread_key(message.message_id, message.business_object_id),
        "source_system": message.source_system,
        "consumer": consumer,
        "logical_address": logical_address,
        "notify": message.notify,
        "received_at": message.received_at,
        "action_date": message.action_date,
        "action_time": message.action_time,
        "case_read_status": message.case_read_status,
        "user_selection_status": message.user_selection_status,
        "case_type_id": message.case_type_id,
        "case_type_description": message.case_type_description,
        "header_text": message.header_text,
        "facility_hsa_id": facility.hsa_id,
        "facility_name": facility.name,
        "facility_address": facility.address,
        "facility_postal_code": facility.postal_code,
        "facility_postal_city": facility.postal_city,
        "facility_telephone": facility.telephone,
        "booking_id": booking.booking_id if booking else None,
        "booking_cancelled": booking.cancelled if booking else None,
        "booking_date": booking.booking_date if booking else None,
        "booking_is_invitation": booking.is_invitation if booking else None,
        "booking_is_open_invitation": booking.is_open_invitation if booking else None,
        "booking_rebooking_allowed": booking.rebooking_allowed if booking else None,
        "booking_cancel_allowed": booking.cancel_booking_allowed if booking else None,
        "url_configuration": json.dumps(message.url_configuration, ensure_ascii=False)
        if message.url_configuration
        else None,
        "msg": message.msg,
        "docbook_ok": message.docbook_ok,
        "docbook_violations": json.dumps(message.docbook_violations, ensure_ascii=False)
        if message.docbook_violations
        else None,
        "result_code": message.result_code,
        "message_xml": message.message_xml,
    }


def _row(row) -> dict:
    return dict(row._mapping)


# Built once: GetMessageStatus asks on every call, and building the query cost as much as
# running it. Read on the driver's cursor (storage/fixed.py): a SQLAlchemy execute, with
# the pool checkout it needs inside a request, cost a quarter of a GetMessageStatus.
_BY_THREAD = sa.select(messages).where(messages.c.business_object_key == sa.bindparam("key")).order_by(messages.c.seq)
_BY_THREAD_OF_PERSON = _BY_THREAD.where(messages.c.subject_of_care_id == sa.bindparam("pnr"))
_FIXED_BY_THREAD = FixedRead(_BY_THREAD)
_FIXED_BY_THREAD_OF_PERSON = FixedRead(_BY_THREAD_OF_PERSON)


class InboxStore:
    """Queries and state changes on the inbox; message dicts have the column names."""

    def __init__(self, db: Database):
        self.db = db

    def add(self, conn, values: dict) -> None:
        conn.execute(sa.insert(messages).values(**values))

    def insert(self, values: dict) -> dict:
        """One message: inside a SOAP request part of the request's write set, committed
        before the answer (storage/scope.py), ``seq`` then None; outside one committed when
        this returns. Returns the message as :meth:`message` would read it back."""
        with transaction(self.db) as conn:
            # Parameters, not .values(): the compiled INSERT is cached, not rebuilt per call.
            result = conn.execute(_INSERT, values)
        seq = result.inserted_primary_key[0] if result is not None else None
        return {**_NO_VALUES, **values, "seq": seq}

    def message(self, message_id: str) -> dict | None:
        with self.db.connect() as conn:
            row = conn.execute(sa.select(messages).where(messages.c.message_id == message_id)).first()
        return _row(row) if row else None

    def messages_for(self, personnummer: str, consumer: str | None = None) -> list[dict]:
        """``consumer``: only what that consumer HSA-id sent (shared mode's vendor scope)."""
        query = sa.select(messages).where(messages.c.subject_of_care_id == personnummer)
        if consumer is not None:
            query = query.where(messages.c.consumer == consumer)
        with self.db.connect() as conn:
            rows = conn.execute(query.order_by(messages.c.seq)).all()
        return [_row(r) for r in rows]

    def messages_by_business_object(
        self, business_object_id: str, personnummer: str | None = None, consumer: str | None = None
    ) -> list[dict]:
        key = business_object_key(business_object_id)
        if consumer is None:
            fixed = _FIXED_BY_THREAD_OF_PERSON if personnummer else _FIXED_BY_THREAD
            params = {"key": key, "pnr": personnummer} if personnummer else {"key": key}
            names = fixed.names
            with self.db.connect() as conn:
                return [dict(zip(names, row, strict=True)) for row in fixed.all(conn, **params)]
        query = (_BY_THREAD_OF_PERSON if personnummer else _BY_THREAD).where(messages.c.consumer == consumer)
        with self.db.connect() as conn:
            return [_row(r) for r in conn.execute(query, {"key": key, "pnr": personnummer}).all()]

    def threads(
        self, personnummer: str, selection_status: str | None = None, consumer: str | None = None
    ) -> list[dict]:
        """Threads newest first; a thread is Archived only when all its messages are.
        With ``consumer``, threads of that consumer's messages only (counts of those)."""
        grouped: dict[str, list[dict]] = {}
        for message in self.messages_for(personnummer, consumer):
            grouped.setdefault(message["thread_key"], []).append(message)
        threads = [_thread(key, items) for key, items in grouped.items()]
        if selection_status:
            threads = [t for t in threads if t["user_selection_status"] == selection_status]
        return sorted(threads, key=lambda t: (t["latest_at"], t["latest_seq"]), reverse=True)

    def thread(self, personnummer: str, key: str, consumer: str | None = None) -> dict | None:
        items = [m for m in self.messages_for(personnummer, consumer) if m["thread_key"] == key]
        return _thread(key, items) if items else None

    def mark_read(self, message_id: str, at: dt.datetime) -> dict | None:
        """Idempotent: the first read time is kept (what a care system asks about)."""
        with self.db.begin() as conn:
            conn.execute(
                sa.update(messages)
                .where(messages.c.message_id == message_id, messages.c.case_read_status != "Read")
                .values(case_read_status="Read", read_at=at)
            )
        return self.message(message_id)

    def set_selection_status(self, personnummer: str, key: str, status: str) -> int:
        if status not in ("Active", "Archived"):
            raise ValueError("userSelectionStatus must be Active or Archived")
        with self.db.begin() as conn:
            return conn.execute(
                sa.update(messages)
                .where(messages.c.subject_of_care_id == personnummer, messages.c.thread_key == key)
                .values(user_selection_status=status)
            ).rowcount

    def count(self) -> int:
        with self.db.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one()

    def clear(self) -> None:
        with self.db.begin() as conn:
            conn.execute(sa.delete(messages))


def _thread(key: str, items: list[dict]) -> dict:
    latest = items[-1]
    first = items[0]
    return {
        "thread_key": key,
        "business_object_id": first["business_object_id"],
        "subject_of_care_id": first["subject_of_care_id"],
        "messages": items,
        "unread_count": sum(1 for m in items if m["case_read_status"] == "Unread"),
        "latest_at": latest["received_at"],
        "latest_seq": latest["seq"],
        "facility_name": latest["facility_name"] or first["facility_name"],
        "case_type_description": first["case_type_description"],
        "header_text": first["header_text"],
        "user_selection_status": "Archived"
        if all(m["user_selection_status"] == "Archived" for m in items)
        else "Active",
    }
