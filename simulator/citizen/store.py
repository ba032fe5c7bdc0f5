"""Tables of the citizen side: the notification outbox, the paper outbox, the citizen's
booking actions (with their callback delivery state), the callback URLs care systems
registered, and the web session key. Every row is durable: a test that kills the server
finds the outboxes as they were."""

from __future__ import annotations

import datetime as dt
import enum
import json
import secrets
from collections.abc import Collection

import sqlalchemy as sa

from simulator.inbox.store import messages as inbox_messages
from simulator.storage import Database, UtcDateTime, metadata
from simulator.storage.scope import transaction

# Values a care system or a tester sends (sourceSystem, bookingId, businessObjectId,
# sender names, recipients) are Text: a varchar(255) made PostgreSQL refuse the row
# and lost the notification (issue 13). The callback registration's key stays a primary
# key: POST /api/callbacks refuses a source_system over 255 characters at the door.

notifications = sa.Table(
    "citizen_notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("personnummer", sa.String(12), nullable=False, index=True),
    sa.Column("message_id", sa.String(36), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),  # sms | email
    sa.Column("recipient", sa.Text),
    sa.Column("subject", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("source_system", sa.Text),
    sa.Column("consumer", sa.Text),  # the consumer HSA-id of the message (shared mode's scope)
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

paper_letters = sa.Table(
    "paper_letters",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("letter_id", sa.String(36), nullable=False, unique=True),
    sa.Column("personnummer", sa.String(12), nullable=False, index=True),
    sa.Column("business_object_id", sa.Text),
    sa.Column("booking_id", sa.Text),
    sa.Column("sender_name", sa.Text),
    sa.Column("sender_hsa_id", sa.Text),
    sa.Column("reason_rule_ids", sa.Text, nullable=False),  # JSON list
    sa.Column("protected_route", sa.Boolean, nullable=False),
    sa.Column("protected_citizen", sa.Boolean, nullable=False),
    sa.Column("address", sa.Text),  # JSON object or NULL
    sa.Column("warnings", sa.Text, nullable=False),  # JSON list
    sa.Column("content_type", sa.String(40), nullable=False),
    sa.Column("document", sa.LargeBinary, nullable=False),
    sa.Column("submitted_by", sa.Text),
    sa.Column("consumer", sa.Text),  # the sender's consumer HSA-id (shared mode's scope)
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("postal_delivery_days", sa.Integer, nullable=False),
    # hash: a B-tree entry must stay under ~2.7 kB on PostgreSQL, a businessObjectId need not
    sa.Index("ix_paper_letters_business_object_id", "business_object_id", postgresql_using="hash"),
)

citizen_actions = sa.Table(
    "citizen_actions",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("action", sa.String(16), nullable=False),  # cancel | rebook
    sa.Column("personnummer", sa.String(12), nullable=False, index=True),
    sa.Column("message_id", sa.String(36), nullable=False),
    sa.Column("business_object_id", sa.Text),
    sa.Column("booking_id", sa.Text),
    sa.Column("source_system", sa.Text),
    sa.Column("consumer", sa.Text),  # the consumer HSA-id of the message acted on
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("callback_url", sa.Text),
    sa.Column("callback_status", sa.String(12), nullable=False),  # a CallbackStatus
    sa.Column("callback_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("callback_last_error", sa.Text),
    # The delivery is durable work (callbacks.py): real (transport) time, never the
    # simulator clock, which may be frozen. NULL next attempt: due at once.
    sa.Column("callback_next_attempt_at", UtcDateTime()),
    # Who is trying it right now and until when: a process that dies mid-attempt leaves a
    # lease that expires, and any live process takes the row over.
    sa.Column("callback_lease_owner", sa.Text),
    sa.Column("callback_lease_until", UtcDateTime()),
    sa.Index("ix_citizen_actions_callback_due", "callback_status", "callback_next_attempt_at"),
)


class CallbackStatus(enum.StrEnum):
    NONE = "none"  # no callback URL registered: the event is only stored
    PENDING = "pending"  # to be tried (again), at callback_next_attempt_at
    DELIVERED = "delivered"  # a 2xx answer
    FAILED = "failed"  # given up after the bounded attempts; callback_last_error says why


callback_urls = sa.Table(
    "citizen_callback_urls",
    metadata,
    sa.Column("source_system", sa.Text, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("registered_at", UtcDateTime(), nullable=False),
    # the vendor (shared mode) that registered it: only its own messages' actions go there;
    # NULL (open mode, admin) for every consumer's
    sa.Column("consumer", sa.Text),
)

web_secrets = sa.Table(
    "web_secrets",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
)

_INSERT_NOTIFICATIONS = notifications.insert()
_INSERT_LETTER = paper_letters.insert()


def _row(row) -> dict:
    data = dict(row._mapping)
    for key in ("reason_rule_ids", "warnings", "address"):
        if key in data and data[key] is not None:
            data[key] = json.loads(data[key])
    return data


def _filters(
    table: sa.Table, personnummer: str | None, business_object_id: str | None, consumer: str | None = None
) -> list:
    """WHERE clauses for the optional filters every list offers; ``consumer`` is shared
    mode's scope (a vendor token's HSA-id): only that consumer's rows."""
    where = [] if consumer is None else [table.c.consumer == consumer]
    if personnummer:
        where.append(table.c.personnummer == personnummer)
    if business_object_id:
        where.append(table.c.business_object_id == business_object_id)
    return where


def _letter_values(row: dict) -> dict:
    stored = dict(row)
    for key in ("reason_rule_ids", "warnings", "address"):
        stored[key] = None if stored.get(key) is None else json.dumps(stored[key], ensure_ascii=False)
    return stored


class CitizenSideStore:
    """Storage for everything in this package; dicts have the column names."""

    def __init__(self, db: Database):
        self.db = db

    def _select(self, table, *where, order=None, limit: int | None = None) -> list[dict]:
        query = sa.select(table).where(*where).order_by(order if order is not None else table.c[0].desc())
        if limit:
            query = query.limit(limit)
        with self.db.connect() as conn:
            return [_row(r) for r in conn.execute(query).all()]

    # notifications -------------------------------------------------------
    def add_notifications(self, rows: list[dict]) -> None:
        if rows:  # in the same transaction as the message (storage/scope.py)
            with transaction(self.db, isolated=True) as conn:
                conn.execute(_INSERT_NOTIFICATIONS, rows)

    def notifications(
        self, personnummer: str | None = None, limit: int = 500, consumer: str | None = None
    ) -> list[dict]:
        return self._select(notifications, *_filters(notifications, personnummer, None, consumer), limit=limit)

    # paper letters -------------------------------------------------------
    def add_letters(self, rows: list[dict]) -> None:
        """One transaction for all of them; parameters, not ``.values()``, so the compiled
        INSERT is cached (one letter as one row's parameters, several as executemany)."""
        stored = [_letter_values(row) for row in rows]
        with self.db.begin() as conn:
            conn.execute(_INSERT_LETTER, stored[0] if len(stored) == 1 else stored)

    def letters(
        self,
        personnummer: str | None = None,
        business_object_id: str | None = None,
        limit: int = 500,
        consumer: str | None = None,
    ) -> list[dict]:
        where = _filters(paper_letters, personnummer, business_object_id, consumer)
        columns = [c for c in paper_letters.c if c.name != "document"]
        size = sa.func.length(paper_letters.c.document).label("size")
        query = sa.select(*columns, size).where(*where).order_by(paper_letters.c.seq.desc()).limit(limit)
        with self.db.connect() as conn:
            return [_row(r) for r in conn.execute(query).all()]

    def letter(self, letter_id: str, consumer: str | None = None) -> dict | None:
        where = [paper_letters.c.letter_id == letter_id] + _filters(paper_letters, None, None, consumer)
        found = self._select(paper_letters, *where)
        return found[0] if found else None

    # citizen actions and callbacks ----------------------------------------
    def add_action(self, row: dict) -> None:
        with self.db.begin() as conn:
            conn.execute(sa.insert(citizen_actions).values(**row))

    def actions(
        self,
        personnummer: str | None = None,
        business_object_id: str | None = None,
        limit: int = 500,
        consumer: str | None = None,
    ) -> list[dict]:
        where = _filters(citizen_actions, personnummer, business_object_id, consumer)
        return self._select(citizen_actions, *where, limit=limit)

    def action(self, event_id: str) -> dict | None:
        found = self._select(citizen_actions, citizen_actions.c.event_id == event_id)
        return found[0] if found else None

    # callback deliveries (callbacks.Sweeper) ---------------------------------
    def _claimable(self, now: dt.datetime):
        """A pending row that is due and that no live attempt holds (its lease expired)."""
        c = citizen_actions.c
        return sa.and_(
            c.callback_status == CallbackStatus.PENDING,
            sa.or_(c.callback_next_attempt_at.is_(None), c.callback_next_attempt_at <= now),
            sa.or_(c.callback_lease_until.is_(None), c.callback_lease_until <= now),
        )

    def claim_callbacks(
        self, now: dt.datetime, lease_until: dt.datetime, claim: str, limit: int, busy: Collection[str] = ()
    ) -> list[dict]:
        """Take up to ``limit`` due deliveries for one attempt each, marked with ``claim``
        (unique per call), none to a callback URL in ``busy`` (this process is already
        waiting on it). One UPDATE whose WHERE repeats the claimable test, so two
        processes never both hold a row: SQLite has one writer at a time, and PostgreSQL
        re-checks the WHERE on a row another transaction changed meanwhile."""
        c = citizen_actions.c
        due = (
            sa.select(c.seq)
            .where(self._claimable(now), c.callback_url.not_in(list(busy)) if busy else sa.true())
            .order_by(c.callback_next_attempt_at.asc().nulls_first(), c.seq)
            .limit(limit)
        )
        take = (
            sa.update(citizen_actions)
            .where(c.seq.in_(due.scalar_subquery()), self._claimable(now))
            .values(callback_lease_owner=claim, callback_lease_until=lease_until)
        )
        with self.db.begin() as conn:
            if conn.execute(take).rowcount == 0:
                return []
            rows = conn.execute(sa.select(citizen_actions).where(c.callback_lease_owner == claim).order_by(c.seq))
            return [_row(r) for r in rows.all()]

    def finish_attempt(
        self,
        event_id: str,
        claim: str,
        status: CallbackStatus,
        error: str | None,
        next_attempt_at: dt.datetime | None,
    ) -> bool:
        """Record one attempt and release the lease. Only the claim holding the row may: an
        attempt that outlived its lease (the row was taken over) changes nothing (False)."""
        c = citizen_actions.c
        with self.db.begin() as conn:
            done = conn.execute(
                sa.update(citizen_actions)
                .where(c.event_id == event_id, c.callback_lease_owner == claim)
                .values(
                    callback_status=status,
                    callback_attempts=c.callback_attempts + 1,
                    callback_last_error=error,
                    callback_next_attempt_at=next_attempt_at,
                    callback_lease_owner=None,
                    callback_lease_until=None,
                )
            )
        return done.rowcount == 1

    def callback_wait(self, now: dt.datetime, sample: int = 200) -> float | None:
        """Seconds until the next pending delivery may be claimed (0: now), or None if
        nothing is pending (a sweeper with nothing to wait for stops)."""
        c = citizen_actions.c
        query = (
            sa.select(c.callback_next_attempt_at, c.callback_lease_until)
            .where(c.callback_status == CallbackStatus.PENDING)
            .order_by(c.callback_next_attempt_at.asc().nulls_first())
            .limit(sample)
        )
        with self.db.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return None
        # a row may be claimed once it is due and its lease (if any) has expired
        ready = min(max((t for t in row if t is not None), default=now) for row in rows)
        return max(0.0, (ready - now).total_seconds())

    def register_callback(self, source_system: str, url: str, at: dt.datetime, consumer: str | None = None) -> bool:
        """Register (or replace) the URL for ``source_system``. A vendor (``consumer``) may
        replace only its own registration (not another vendor's, not an admin's): False,
        nothing changed."""
        row = dict(source_system=source_system, url=url, registered_at=at, consumer=consumer)
        mine = callback_urls.c.source_system == source_system
        if consumer is not None:
            mine = sa.and_(mine, callback_urls.c.consumer == consumer)
        with self.db.begin() as conn:
            taken = conn.execute(
                sa.select(callback_urls.c.consumer).where(callback_urls.c.source_system == source_system)
            )
            if taken.first() is not None and conn.execute(sa.delete(callback_urls).where(mine)).rowcount == 0:
                return False
            conn.execute(sa.insert(callback_urls).values(**row))
        return True

    def callbacks(self, consumer: str | None = None) -> list[dict]:
        where = [] if consumer is None else [callback_urls.c.consumer == consumer]
        return self._select(callback_urls, *where, order=callback_urls.c.source_system)

    def callback_url(self, source_system: str | None, consumer: str | None = None) -> str | None:
        """Where a citizen action on a message of ``consumer`` goes: the registration for its
        sourceSystem, if made by that consumer or by no vendor in particular."""
        if not source_system:
            return None
        where = [callback_urls.c.source_system == source_system]
        where.append(sa.or_(callback_urls.c.consumer.is_(None), callback_urls.c.consumer == consumer))
        found = self._select(callback_urls, *where)
        return found[0]["url"] if found else None

    def delete_callback(self, source_system: str, consumer: str | None = None) -> bool:
        where = [callback_urls.c.source_system == source_system]
        if consumer is not None:
            where.append(callback_urls.c.consumer == consumer)
        with self.db.begin() as conn:
            return conn.execute(sa.delete(callback_urls).where(*where)).rowcount > 0

    # the trainer's view of every inbox ----------------------------------------
    def recent_messages(self, limit: int = 300) -> list[dict]:
        """Newest inbox messages of all citizens (read-only; the inbox owns the table)."""
        columns = [c for c in inbox_messages.c if c.name not in ("msg", "message_xml")]
        query = sa.select(*columns).order_by(inbox_messages.c.seq.desc()).limit(limit)
        with self.db.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query).all()]

    # housekeeping ----------------------------------------------------------
    def clear(self, _include_seed: bool = True) -> None:
        """The reset hook: empties the outboxes, actions and registrations (the session
        key stays, so a trainer's browser remains logged in to nothing)."""
        with self.db.begin() as conn:
            for table in (notifications, paper_letters, citizen_actions, callback_urls):
                conn.execute(sa.delete(table))

    def secret(self, name: str = "session") -> str:
        """A random key shared by every server process (each builds its own app)."""
        with self.db.connect() as conn:
            value = conn.execute(sa.select(web_secrets.c.value).where(web_secrets.c.name == name)).scalar()
        if value:
            return value
        try:
            with self.db.begin() as conn:
                conn.execute(sa.insert(web_secrets).values(name=name, value=secrets.token_hex(32)))
        except sa.exc.IntegrityError:
            pass  # another worker won the race; read its key
        with self.db.connect() as conn:
            return conn.execute(sa.select(web_secrets.c.value).where(web_secrets.c.name == name)).scalar_one()
