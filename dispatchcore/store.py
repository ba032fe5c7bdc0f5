"""Dispatch core tables: bookings, the decisions taken for them, and the steps (outbox)
each booking still has to take or has taken.

Exactly-once as the citizen sees it rests on three things here:
- a step is a row with a key unique per booking ("addmessage:1", "paper:fallback:1",
  "reminder:2026-12-03"), written in the same transaction as the decision that asks for
  it, so a step is never planned twice (RM-01 "never twice for the same day" is that key);
- a booking is worked on by one worker at a time: ``claim`` is a conditional UPDATE with
  a lease, so a killed worker's booking is taken over only after its lease ran out;
- a delivery step whose worker died after sending is verified against the receiver
  before it is sent again (see engine.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dispatchcore.rows import BookingRow, DecisionRow, StepRow
from dispatchcore.states import Outcome, StepKind, StepState
from dispatchcore.storage import Database, UtcDateTime, metadata

ACTIVE = (StepState.TODO, StepState.SENDING)  # a step still to be worked

UTC = dt.UTC

bookings = sa.Table(
    "dispatch_bookings",
    metadata,
    sa.Column("booking_id", sa.String(64), primary_key=True),
    sa.Column("personnummer", sa.String(12), nullable=False),
    sa.Column("profile", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("business_object_id", sa.String(80), nullable=False),
    sa.Column("cancelled", sa.Boolean, nullable=False, default=False),
    sa.Column("manual", sa.Boolean, nullable=False, default=False),
    sa.Column("outcome", sa.String(20)),
    sa.Column("read_at", UtcDateTime()),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # work bookkeeping (real time): who works on it, until when, when it was handed to the queue
    sa.Column("claimed_by", sa.String(80)),
    sa.Column("lease_until", UtcDateTime()),
    sa.Column("queued_at", UtcDateTime()),
)

decisions = sa.Table(
    "dispatch_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "booking_id", sa.String(64), sa.ForeignKey("dispatch_bookings.booking_id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("key", sa.String(40), nullable=False),  # "dispatch:1", "cancel", "relookup:1:2"
    sa.Column("decided_at", UtcDateTime(), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("rule_ids", sa.Text, nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # inputs, reasons, channels (JSON)
    sa.UniqueConstraint("booking_id", "key", name="uq_dispatch_decision_key"),
)

steps = sa.Table(
    "dispatch_steps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "booking_id", sa.String(64), sa.ForeignKey("dispatch_bookings.booking_id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("key", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # decide cancel addmessage paper sms fallback reminder relookup
    sa.Column("rule", sa.String(10)),
    sa.Column("payload", sa.Text, nullable=False, default="{}"),
    sa.Column("due_at", UtcDateTime(), nullable=False),  # simulator time
    sa.Column("state", sa.String(10), nullable=False, default=StepState.TODO),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("done_at", UtcDateTime()),
    sa.Column("result", sa.Text),
    sa.UniqueConstraint("booking_id", "key", name="uq_dispatch_step_key"),
)
sa.Index("ix_dispatch_steps_due", steps.c.state, steps.c.due_at)
sa.Index("ix_dispatch_steps_booking", steps.c.booking_id)

settings_table = sa.Table(
    "dispatch_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
)


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite keeps no offset: every stored instant is UTC."""
    return value.astimezone(UTC)


def _row(row) -> dict:
    data = dict(row._mapping)
    for key in ("payload", "result", "record", "rule_ids"):
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    return data


BOOKING_FIELDS = (
    "booking_id",
    "personnummer",
    "profile",
    "kind",
    "revision",
    "business_object_id",
    "cancelled",
    "manual",
    "read_at",
    "created_at",
    "updated_at",
)


def _booking(data: Mapping[str, Any]) -> BookingRow:
    """A booking row by column name (a SQLAlchemy row's ``_mapping``, or the driver's
    values named by :func:`_raw_booking_row`)."""
    return BookingRow(
        **{name: data[name] for name in BOOKING_FIELDS},
        data=json.loads(data["data"]),
        outcome=Outcome(data["outcome"]) if data["outcome"] else None,
    )


# --- rows read on the driver's cursor (booking_and_steps): plain values in column order --

RAW_BOOKING_COLUMNS = (*BOOKING_FIELDS, "data", "outcome")
RAW_STEP_COLUMNS = tuple(column.name for column in steps.columns)  # the table's order: select(steps) reads the same
_RAW_INSTANTS = frozenset({"read_at", "created_at", "updated_at"})


def _aware(value: dt.datetime | str) -> dt.datetime:
    """An instant as UtcDateTime reads it: PostgreSQL's driver gives an aware datetime,
    SQLite a text without offset that SQLAlchemy wrote in UTC."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=UTC)


def _instant(value: dt.datetime | str | None) -> dt.datetime | None:
    return None if value is None else _aware(value)


def _raw_booking_row(values: tuple) -> BookingRow:
    """A booking row from the driver's values of RAW_BOOKING_COLUMNS, converted as the
    column types convert them (SQLite gives instants as text, booleans as 0/1)."""
    fields = dict(zip(RAW_BOOKING_COLUMNS, values, strict=True))
    for name in _RAW_INSTANTS:
        fields[name] = _instant(fields[name])
    fields["cancelled"], fields["manual"] = bool(fields["cancelled"]), bool(fields["manual"])
    return _booking(fields)


def _step(values: Sequence[Any]) -> StepRow:
    """A step row from its values in the table's column order: a SQLAlchemy row of
    ``select(steps)`` (instants already aware) or the driver's (SQLite: instants as text)."""
    step_id, booking_id, key, kind, rule, payload, due_at, state, attempts, done_at, result = values
    return StepRow(
        id=step_id,
        booking_id=booking_id,
        key=key,
        kind=StepKind(kind),
        rule=rule,
        payload=json.loads(payload or "{}"),
        due_at=_aware(due_at),
        state=StepState(state),
        attempts=attempts,
        done_at=_instant(done_at),
        result=json.loads(result) if result else None,
    )


# --- the worker's hot statements, built once -------------------------------------------
# A statement built per call cost more CPU than running it (SQLAlchemy's construction and
# cache key, ~100 us a statement; docs/loadtests.md, "Campaign speed"): the ones run for
# every booking are built here once and executed with their parameters.

_BOOKING_BY_ID = sa.select(bookings).where(bookings.c.booking_id == sa.bindparam("b_id"))
_STEPS_OF = sa.select(steps).where(steps.c.booking_id == sa.bindparam("b_id")).order_by(steps.c.due_at, steps.c.id)
_SETTINGS = sa.select(settings_table.c.data).where(settings_table.c.id == 1)
_CLAIM = (
    sa.update(bookings)
    .where(
        bookings.c.booking_id == sa.bindparam("b_id"),
        sa.or_(
            bookings.c.lease_until.is_(None),
            bookings.c.lease_until < sa.bindparam("real_now", type_=UtcDateTime()),
            bookings.c.claimed_by == sa.bindparam("worker"),
        ),
    )
    .values(claimed_by=sa.bindparam("worker"), lease_until=sa.bindparam("until", type_=UtcDateTime()))
)
_RELEASE = (
    sa.update(bookings)
    .where(bookings.c.booking_id == sa.bindparam("b_id"), bookings.c.claimed_by == sa.bindparam("worker"))
    .values(claimed_by=None, lease_until=None, queued_at=None)
)
_COUNT_DUE = sa.select(sa.func.count(sa.distinct(steps.c.booking_id))).where(
    steps.c.state.in_(ACTIVE), steps.c.due_at <= sa.bindparam("sim_now", type_=UtcDateTime())
)


@functools.cache
def _update_by(table_name: str, key: str, names: tuple[str, ...]) -> sa.Update:
    """``UPDATE table SET <names> WHERE key = :w_key``, once per set of columns."""
    table = metadata.tables[table_name]
    return (
        sa.update(table)
        .where(table.c[key] == sa.bindparam("w_key"))
        .values({name: sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in names})
    )


@functools.cache
def _raw_update(table_name: str, key: str, names: tuple[str, ...], placeholder: str) -> str:
    """``UPDATE table SET <names> WHERE key = ?`` in the driver's own parameter style, once
    per set of columns (the names must be the table's: they are written into the SQL)."""
    columns = metadata.tables[table_name].c
    unknown = [name for name in (*names, key) if name not in columns]
    if unknown:
        raise ValueError(f"{table_name} has no column {unknown[0]!r}")
    assignments = ", ".join(f"{name} = {placeholder}" for name in names)
    return f"UPDATE {table_name} SET {assignments} WHERE {key} = {placeholder}"


RAW_BOOKING_INSERT = (*BOOKING_FIELDS, "data", "outcome")
RAW_STEP_INSERT = ("booking_id", "key", "kind", "rule", "payload", "due_at", "state", "attempts")


def _raw_insert(table_name: str, names: tuple[str, ...], keys: tuple[str, ...], returned: str, placeholder: str) -> str:
    """``INSERT ... ON CONFLICT (keys) DO NOTHING RETURNING returned`` in the driver's own
    parameter style (SQLite >= 3.35 and PostgreSQL both have the clauses)."""
    columns = metadata.tables[table_name].c
    unknown = [name for name in (*names, *keys, returned) if name not in columns]
    if unknown:
        raise ValueError(f"{table_name} has no column {unknown[0]!r}")
    return (
        f"INSERT INTO {table_name} ({', '.join(names)}) VALUES ({', '.join([placeholder] * len(names))}) "
        f"ON CONFLICT ({', '.join(keys)}) DO NOTHING RETURNING {returned}"
    )


@contextlib.contextmanager
def _driver_cursor(conn: sa.Connection) -> Iterator[Any]:
    """A cursor of the DBAPI connection under ``conn`` (within its transaction), closed
    after the block."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    finally:
        cursor.close()


def _sqlite_text(instant: dt.datetime) -> str:
    """An instant as SQLAlchemy's SQLite DATETIME stores it (UTC, no offset, microseconds),
    so that text comparisons (``due_at <= now``) and its reads see the same."""
    return instant.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _update_values(values: dict[str, Any]) -> dict[str, Any]:
    return {f"v_{name}": value for name, value in values.items()}


class DispatchStore:
    def __init__(self, db: Database):
        self.db = db
        # the driver's own placeholder: sqlite3 "?", psycopg "%s"
        self._placeholder = placeholder = "?" if db.is_sqlite else "%s"
        self._raw_booking = (
            f"SELECT {', '.join(RAW_BOOKING_COLUMNS)} FROM {bookings.name} WHERE booking_id = {placeholder}"
        )
        self._raw_steps = f"SELECT {', '.join(RAW_STEP_COLUMNS)} FROM {steps.name} WHERE booking_id = {placeholder} ORDER BY due_at, id"
        dialect = sqlite_insert if db.is_sqlite else postgres_insert
        # INSERT ... ON CONFLICT DO NOTHING RETURNING: the values come with each execution
        self._inserts = {
            table.name: dialect(table).on_conflict_do_nothing(index_elements=keys).returning(table.c[returned])
            for table, keys, returned in (
                (bookings, ["booking_id"], "booking_id"),
                (steps, ["booking_id", "key"], "id"),
                (decisions, ["booking_id", "key"], "id"),
            )
        }
        # the same for a new booking and a new step, in the driver's own parameter style
        # (the booking intake and the decision's planned steps: SQLAlchemy's execution cost
        # more than the INSERT itself)
        self._raw_inserts = {
            table.name: _raw_insert(table.name, columns, keys, returned, placeholder)
            for table, columns, keys, returned in (
                (bookings, RAW_BOOKING_INSERT, ("booking_id",), "booking_id"),
                (steps, RAW_STEP_INSERT, ("booking_id", "key"), "id"),
            )
        }

    # --- bookings ------------------------------------------------------------------------

    def booking(self, booking_id: str, conn=None) -> BookingRow | None:
        if conn is None:
            with self.db.connect() as own:
                return self.booking(booking_id, own)
        row = conn.execute(_BOOKING_BY_ID, {"b_id": booking_id}).first()
        return None if row is None else _booking(row._mapping)

    def existing(self, booking_id: str, conn=None) -> BookingRow:
        """A booking that must exist (it was just written, or a step of it is being worked)."""
        row = self.booking(booking_id, conn)
        if row is None:
            raise KeyError(booking_id)
        return row

    def _insert_new(self, conn, table: sa.Table, values: dict) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING: True if the row is new. One round trip, no
        savepoint (both SQLite and PostgreSQL have the clause)."""
        return conn.execute(self._inserts[table.name], values).first() is not None

    def insert_booking(self, conn, values: dict) -> bool:
        """False if the booking id exists (the caller answers idempotently). On the driver's
        cursor, bound as SQLAlchemy binds the columns (``_bound``)."""
        return self._raw_insert(conn, bookings.name, [values.get(name) for name in RAW_BOOKING_INSERT]) is not None

    def _raw_insert(self, conn, table_name: str, values: list[Any]) -> Any:
        """The new row's returned key, or None if it exists (nothing written)."""
        with _driver_cursor(conn) as cursor:
            cursor.execute(self._raw_inserts[table_name], [self._bound(value) for value in values])
            found = cursor.fetchone()
        return None if found is None else found[0]

    def update_booking(self, conn, booking_id: str, **values) -> None:
        values = {k: utc(v) if isinstance(v, dt.datetime) else v for k, v in values.items()}
        statement = _update_by(bookings.name, "booking_id", tuple(values))
        conn.execute(statement, {"w_key": booking_id, **_update_values(values)})

    def list_bookings(self, limit: int = 200, offset: int = 0, outcome: str | None = None) -> list[BookingRow]:
        """Newest first; ``outcome``: only the bookings decided so (``digital_only``, ...)."""
        query = sa.select(bookings)
        if outcome is not None:
            query = query.where(bookings.c.outcome == outcome)
        with self.db.connect() as conn:
            rows = conn.execute(
                query.order_by(bookings.c.created_at.desc(), bookings.c.booking_id).limit(limit).offset(offset)
            ).all()
        return [_booking(r._mapping) for r in rows]

    # --- claims --------------------------------------------------------------------------

    def claim(self, booking_id: str, worker: str, real_now: dt.datetime, lease: dt.timedelta) -> bool:
        """Take the booking for ``worker`` unless another worker holds a live lease."""
        with self.db.begin() as conn:
            return self.claim_in(conn, booking_id, worker, real_now, lease)

    def claim_in(self, conn, booking_id: str, worker: str, real_now: dt.datetime, lease: dt.timedelta) -> bool:
        """``claim`` as part of a larger transaction."""
        parameters = {"b_id": booking_id, "worker": worker, "real_now": real_now, "until": real_now + lease}
        return conn.execute(_CLAIM, parameters).rowcount == 1

    def release(self, booking_id: str, worker: str, conn=None) -> None:
        if conn is None:
            with self.db.begin() as own:
                return self.release(booking_id, worker, own)
        conn.execute(_RELEASE, {"b_id": booking_id, "worker": worker})

    def due_bookings(
        self, sim_now: dt.datetime, real_now: dt.datetime, limit: int = 500, requeue_after: dt.timedelta | None = None
    ) -> list[str]:
        """Bookings with a step due now that no live worker holds; with
        ``requeue_after``, also not handed to the queue within that time."""
        due = sa.select(steps.c.booking_id).where(steps.c.state.in_(ACTIVE), steps.c.due_at <= sim_now)
        query = sa.select(bookings.c.booking_id).where(
            bookings.c.booking_id.in_(due), sa.or_(bookings.c.lease_until.is_(None), bookings.c.lease_until < real_now)
        )
        if requeue_after is not None:
            query = query.where(sa.or_(bookings.c.queued_at.is_(None), bookings.c.queued_at < real_now - requeue_after))
        with self.db.connect() as conn:
            return [r.booking_id for r in conn.execute(query.order_by(bookings.c.created_at).limit(limit))]

    def count_due(self, sim_now: dt.datetime) -> int:
        """Bookings with a step due now, worked on or not (0: the engine is idle)."""
        with self.db.connect() as conn:
            return conn.execute(_COUNT_DUE, {"sim_now": sim_now}).scalar_one()

    def mark_queued(self, booking_id: str, real_now: dt.datetime, requeue_after: dt.timedelta) -> bool:
        with self.db.begin() as conn:
            return (
                conn.execute(
                    sa.update(bookings)
                    .where(
                        bookings.c.booking_id == booking_id,
                        sa.or_(bookings.c.queued_at.is_(None), bookings.c.queued_at < real_now - requeue_after),
                    )
                    .values(queued_at=real_now)
                ).rowcount
                == 1
            )

    # --- steps ---------------------------------------------------------------------------

    def add_step(
        self,
        conn,
        booking_id: str,
        key: str,
        kind: str,
        due_at: dt.datetime,
        rule: str | None = None,
        payload: dict | None = None,
    ) -> bool:
        """Plan a step once; a step that was skipped (superseded) may be planned again,
        one that ran never is. False if it exists."""
        if self.new_step(conn, booking_id, key, kind, due_at, rule, payload) is not None:
            return True
        existing = conn.execute(
            sa.select(steps.c.id, steps.c.state).where(steps.c.booking_id == booking_id, steps.c.key == key)
        ).first()
        if existing.state == StepState.SKIPPED:
            values = dict(
                kind=kind, due_at=utc(due_at), rule=rule, payload=json.dumps(payload or {}), state=StepState.TODO
            )
            conn.execute(sa.update(steps).where(steps.c.id == existing.id).values(result=None, **values))
            return True
        return False

    def new_step(
        self,
        conn,
        booking_id: str,
        key: str,
        kind: str,
        due_at: dt.datetime,
        rule: str | None = None,
        payload: dict | None = None,
    ) -> StepRow | None:
        """Insert a step and return it as stored; None if the key exists (nothing written)."""
        payload = payload or {}
        due_at = utc(due_at)
        values = [booking_id, key, kind, rule, json.dumps(payload), due_at, StepState.TODO, 0]  # RAW_STEP_INSERT
        step_id = self._raw_insert(conn, steps.name, values)
        if step_id is None:
            return None
        return StepRow(step_id, booking_id, key, StepKind(kind), rule, payload, due_at, StepState.TODO, 0, None, None)

    def steps_for(self, booking_id: str, conn=None) -> list[StepRow]:
        if conn is None:
            with self.db.connect() as own:
                return self.steps_for(booking_id, own)
        return [_step(r) for r in conn.execute(_STEPS_OF, {"b_id": booking_id})]

    def booking_and_steps(self, booking_id: str, conn) -> tuple[BookingRow | None, list[StepRow]]:
        """A booking being worked on and its steps, read on one connection (None and no
        steps: the booking is gone, e.g. the test bed was reset meanwhile).

        The worker reads them after every step, four times a booking: on the driver's own
        cursor, within ``conn``'s transaction, because SQLAlchemy's execution and result
        processing around these two small reads cost more than the reads (335 -> 192 us
        on SQLite). The rows are built exactly as ``booking`` and ``steps_for`` build them."""
        with _driver_cursor(conn) as cursor:
            cursor.execute(self._raw_booking, (booking_id,))
            found = cursor.fetchone()
            if found is None:
                return None, []
            cursor.execute(self._raw_steps, (booking_id,))
            return _raw_booking_row(found), [_step(values) for values in cursor.fetchall()]

    def set_step(self, conn, step_id: int, **values) -> None:
        """Change a step's columns within ``conn``'s transaction — on the driver's cursor:
        SQLAlchemy's execution was 90 % of this UPDATE's CPU, and a booking makes about six
        of them (sending, done). The values are bound as SQLAlchemy binds them: instants in
        UTC (SQLite: its text form), enums as their text, ``result`` as JSON."""
        if "result" in values and not isinstance(values["result"], str):
            values["result"] = json.dumps(values["result"], ensure_ascii=False)
        statement = _raw_update(steps.name, "id", tuple(values), self._placeholder)
        with _driver_cursor(conn) as cursor:
            cursor.execute(statement, [self._bound(value) for value in values.values()] + [step_id])

    def _bound(self, value: Any) -> Any:
        """A value as SQLAlchemy's column types would hand it to this database's driver."""
        if isinstance(value, dt.datetime):
            return _sqlite_text(utc(value)) if self.db.is_sqlite else utc(value)
        if isinstance(value, enum.Enum):
            return value.value
        return value

    def skip_open_steps(self, conn, booking_id: str, kinds: tuple[str, ...], reason: str) -> None:
        conn.execute(
            sa.update(steps)
            .where(steps.c.booking_id == booking_id, steps.c.kind.in_(kinds), steps.c.state == StepState.TODO)
            .values(state=StepState.SKIPPED, result=json.dumps({"text": reason}, ensure_ascii=False))
        )

    # --- decisions -----------------------------------------------------------------------

    def add_decision(
        self, conn, booking_id: str, key: str, at: dt.datetime, outcome: str, rule_ids: list[str], record: dict
    ) -> bool:
        return self._insert_new(
            conn,
            decisions,
            dict(
                booking_id=booking_id,
                key=key,
                decided_at=utc(at),
                outcome=outcome,
                rule_ids=json.dumps(rule_ids),
                record=json.dumps(record, ensure_ascii=False, default=str),
            ),
        )

    def decisions_for(self, booking_id: str) -> list[DecisionRow]:
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(decisions).where(decisions.c.booking_id == booking_id).order_by(decisions.c.id)
            ).all()
        return [
            DecisionRow(
                id=r.id,
                booking_id=r.booking_id,
                key=r.key,
                decided_at=r.decided_at,
                outcome=Outcome(r.outcome),
                rule_ids=json.loads(r.rule_ids),
                record=json.loads(r.record),
            )
            for r in rows
        ]

    # --- reporting -----------------------------------------------------------------------

    def report_rows(self) -> tuple[list[dict], list[dict]]:
        """(bookings, done delivery steps) for RP-01/RP-02."""
        with self.db.connect() as conn:
            booking_rows = [
                _row(r)
                for r in conn.execute(
                    sa.select(
                        bookings.c.booking_id,
                        bookings.c.personnummer,
                        bookings.c.profile,
                        bookings.c.outcome,
                        bookings.c.manual,
                        bookings.c.cancelled,
                        bookings.c.read_at,
                        bookings.c.created_at,
                        bookings.c.business_object_id,
                    )
                )
            ]
            step_rows = [
                _row(r)
                for r in conn.execute(
                    sa.select(
                        steps.c.booking_id,
                        steps.c.key,
                        steps.c.kind,
                        steps.c.rule,
                        steps.c.state,
                        steps.c.done_at,
                        steps.c.result,
                    ).where(steps.c.kind.in_(("addmessage", "paper", "sms")))
                )
            ]
        return booking_rows, step_rows

    def clear(self) -> None:
        with self.db.begin() as conn:
            for table in (steps, decisions, bookings):
                conn.execute(sa.delete(table))

    # --- settings (shared by every process) ----------------------------------------------

    def stored_settings(self, conn=None) -> dict | None:
        if conn is None:
            with self.db.connect() as own:
                return self.stored_settings(own)
        data = conn.execute(_SETTINGS).scalar()
        return json.loads(data) if data else None

    def store_settings(self, data: dict) -> None:
        with self.db.begin() as conn:
            if (
                conn.execute(
                    sa.update(settings_table).where(settings_table.c.id == 1).values(data=json.dumps(data))
                ).rowcount
                == 0
            ):
                conn.execute(sa.insert(settings_table).values(id=1, data=json.dumps(data)))
