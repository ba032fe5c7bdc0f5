"""Inbox messages. The message element is kept as received (``message_xml``) so every
field the consumer sent can be shown; the columns are what the inbox, the read status
and the control API query on."""
from __future__ import annotations

import sqlalchemy as sa

from simulator.storage import metadata

messages = sa.Table(
    "inbox_messages", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.String(36), nullable=False, unique=True),
    sa.Column("subject_of_care_id", sa.String(12), nullable=False),
    sa.Column("business_object_id", sa.String(255)),
    sa.Column("thread_key", sa.String(255), nullable=False),
    sa.Column("source_system", sa.String(255)),
    sa.Column("consumer", sa.String(255)),
    sa.Column("logical_address", sa.String(255)),
    sa.Column("notify", sa.Boolean, nullable=False, default=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action_date", sa.String(10), nullable=False),
    sa.Column("action_time", sa.String(8), nullable=False),
    sa.Column("case_read_status", sa.String(8), nullable=False, default="Unread"),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.Column("user_selection_status", sa.String(8), nullable=False, default="Active"),
    sa.Column("case_type_description", sa.String(255), nullable=False),
    sa.Column("header_text", sa.Text),
    sa.Column("facility_hsa_id", sa.String(255)),
    sa.Column("facility_name", sa.String(255)),
    sa.Column("booking_id", sa.String(255)),
    sa.Column("booking_cancelled", sa.Boolean),
    sa.Column("booking_date", sa.String(40)),
    sa.Column("msg", sa.Text, nullable=False),
    sa.Column("docbook_ok", sa.Boolean, nullable=False, default=True),
    sa.Column("docbook_violations", sa.Text),
    sa.Column("result_code", sa.String(8), nullable=False),
    sa.Column("message_xml", sa.Text, nullable=False),
)
sa.Index("ix_inbox_thread", messages.c.subject_of_care_id, messages.c.thread_key)
sa.Index("ix_inbox_business_object", messages.c.business_object_id)
