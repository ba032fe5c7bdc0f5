"""InboxStore.messages_by_business_object reads on the driver's cursor (storage/fixed.py)
inside a SOAP request and on a pooled connection outside one: both give the rows
SQLAlchemy gives, column for column and type for type."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from simulator.inbox.store import InboxStore, business_object_key, messages
from simulator.storage import Database, metadata
from simulator.storage.scope import request_scope


def _stored(store: InboxStore, n: int, bo: str, pnr: str, **extra) -> None:
    store.insert(
        {
            "message_id": f"m-{bo}-{n}",
            "subject_of_care_id": pnr,
            "business_object_id": bo,
            "business_object_key": business_object_key(bo),
            "thread_key": f"bo:{bo}",
            "notify": bool(n % 2),
            "received_at": dt.datetime(2026, 12, 1, 7, n, tzinfo=dt.UTC),
            "action_date": "2026-12-01",
            "action_time": "08:00:00",
            "case_type_description": "Kallelse",
            "msg": "<article/>",
            "result_code": "OK",
            "message_xml": "<message/>",
            "booking_cancelled": n == 2 or None,
            **extra,
        }
    )


def _reference(db: Database, bo_key: str, pnr: str | None) -> list[dict]:
    query = sa.select(messages).where(messages.c.business_object_key == bo_key).order_by(messages.c.seq)
    if pnr:
        query = query.where(messages.c.subject_of_care_id == pnr)
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def test_rows_are_sqlalchemys_inside_and_outside_a_request(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite'}")
    metadata.create_all(db.engine)
    store = InboxStore(db)
    for n in range(3):
        _stored(store, n, "BO-1", "191212121212", consumer="HSA-1" if n else None)
    _stored(store, 9, "BO-1", "198001019804")
    _stored(store, 5, "BO-2", "191212121212")
    for pnr in ("191212121212", None, "190001010000"):
        expected = _reference(db, business_object_key("BO-1"), pnr)
        outside = store.messages_by_business_object("BO-1", pnr)
        with request_scope():
            inside = store.messages_by_business_object("BO-1", pnr)
        assert outside == expected and inside == expected
        for got in (outside, inside):
            for row, want in zip(got, expected, strict=True):
                assert list(row) == list(want)
                assert all(type(row[k]) is type(want[k]) for k in want)
    assert len(store.messages_by_business_object("BO-1", "191212121212")) == 3
    assert len(store.messages_by_business_object("BO-1")) == 4
    assert store.messages_by_business_object("BO-1", "191212121212", consumer="HSA-1") == [
        m for m in _reference(db, business_object_key("BO-1"), "191212121212") if m["consumer"] == "HSA-1"
    ]
    assert store.messages_by_business_object("BO-3", "191212121212") == []
    assert all(m["received_at"].tzinfo is not None for m in store.messages_by_business_object("BO-1"))
    db.dispose()
