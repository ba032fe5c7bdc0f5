"""The simulated SMS gateway: what a region's SMS provider is to a care system. It sits
beside the other outboxes the simulator keeps (1177's notifications, the paper letters):
the dispatch core's RM-01 reminders end up here over REST, and a trainer or the
conformance suite reads them back. Idempotent by ``idempotency_key``, so a care system
that resends after a crash never makes a second SMS."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, request

from simulator.auth.access import caller_consumer
from simulator.errors import FieldError
from simulator.storage import Database, UtcDateTime, metadata

messages = sa.Table(
    "sms_gateway_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("idempotency_key", sa.String(160), nullable=False, unique=True),
    sa.Column("recipient", sa.String(20), nullable=False),
    sa.Column("personnummer", sa.String(12)),
    sa.Column("booking_id", sa.String(64)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("sender", sa.String(80)),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("consumer", sa.Text),  # the sending care system's HSA-id (shared mode's scope)
)
FIELDS = (  # name, longest, required
    ("idempotency_key", 160, True),
    ("recipient", 20, True),
    ("text", 1000, True),
    ("personnummer", 12, False),
    ("sender", 80, False),
    ("booking_id", 64, False),
)


class SmsGateway:
    def __init__(self, db: Database):
        self.db = db

    def add(self, values: dict) -> tuple[bool, int]:
        """(created?, id); the same idempotency key again is a no-op."""
        key = messages.c.idempotency_key == values["idempotency_key"]
        with self.db.begin() as conn:
            existing = conn.execute(sa.select(messages.c.id).where(key)).scalar()
            if existing is not None:
                return False, existing
            try:
                with conn.begin_nested():
                    return True, conn.execute(sa.insert(messages).values(**values)).inserted_primary_key[0]
            except sa.exc.IntegrityError:
                return False, conn.execute(sa.select(messages.c.id).where(key)).scalar()

    def listing(self, personnummer: str | None = None, consumer: str | None = None) -> list[dict]:
        """``consumer``: only what that care system sent (shared mode's vendor scope)."""
        query = sa.select(messages).order_by(messages.c.id)
        if personnummer:
            query = query.where(messages.c.personnummer == personnummer)
        if consumer is not None:
            query = query.where(messages.c.consumer == consumer)
        with self.db.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def clear(self, include_seed: bool = True) -> None:
        with self.db.begin() as conn:
            conn.execute(sa.delete(messages))


def _values(body) -> dict:
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object")
    unknown = set(body) - {name for name, _, _ in FIELDS}
    if unknown:
        raise FieldError(sorted(unknown)[0], "unknown field")
    values = {}
    for name, longest, required in FIELDS:
        value = body.get(name)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > longest:
            raise FieldError(name, f"must be a non-empty string of at most {longest} characters")
        values[name] = value.strip()
    return values


def create_blueprint(gateway: SmsGateway, clock) -> Blueprint:
    api = Blueprint("sms_gateway", __name__, url_prefix="/api/sms-gateway")

    @api.post("/messages")
    def send():
        consumer = caller_consumer() or request.headers.get("x-rivta-original-serviceconsumer-hsaid") or None
        values = _values(request.get_json(silent=True))
        created, sms_id = gateway.add({**values, "received_at": clock.now(), "consumer": consumer})
        return jsonify(id=sms_id, created=created), 201 if created else 200

    @api.get("/messages")
    def listing():
        items = gateway.listing(request.args.get("personnummer"), consumer=caller_consumer())
        return jsonify([{**m, "received_at": m["received_at"].isoformat()} for m in items])

    return api
