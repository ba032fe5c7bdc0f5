"""Alarms: work the simulator could not do although the caller was answered — a traffic
record that could not be written, a notification that could not be stored. Such a
failure must never pass silently (issue 13, item 4): it is logged at ERROR and counted
in the database, so every server process shows the same
``kallelse_alarms_total{kind=...}`` on ``/metrics``. The count survives ``POST
/api/reset`` (an alarm is about the simulator, not about a test's data)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from simulator.storage.database import Database, UtcDateTime, metadata
from simulator.storage.scope import transaction

log = logging.getLogger(__name__)


class AlarmKind(StrEnum):
    TRAFFIC_RECORD_LOST = "traffic_record_lost"
    NOTIFICATION_LOST = "notification_lost"


alarms = sa.Table(
    "alarms",
    metadata,
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("last_real_time", UtcDateTime(), nullable=False),
    sa.Column("last_message", sa.Text, nullable=False),
)


def describe(exc: BaseException) -> str:
    """The error without SQL parameters: for a database error the driver's own first line."""
    cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines() or [""]
    return f"{type(cause).__name__}: {lines[0][:300]}"


class Alarms:
    def __init__(self, db: Database, real_now: Callable[[], dt.datetime]):
        self.db = db
        self.real_now = real_now  # the clock's real time: when it happened, for the log reader
        self._insert = (sqlite.insert if db.is_sqlite else postgresql.insert)(alarms)

    def raise_alarm(self, kind: AlarmKind, what: str, exc: BaseException) -> None:
        """Log at ERROR and count it. Never raises: the caller is answering a request and
        the alarm must not take it down. The log names the error, not the statement's
        parameters (they may hold a personnummer); the traceback is at DEBUG."""
        message = f"{what}: {describe(exc)}"
        log.error("ALARM %s: %s", kind.value, message)
        log.debug("ALARM %s traceback", kind.value, exc_info=exc)
        values = dict(kind=kind.value, count=1, last_real_time=self.real_now(), last_message=message[:2000])
        try:
            # joins the request's one write transaction: a second writer beside it would wait
            # for the request's own lock (SQLite) until the busy timeout
            with transaction(self.db, isolated=True) as conn:
                conn.execute(
                    self._insert.values(**values).on_conflict_do_update(
                        index_elements=["kind"],
                        set_=dict(
                            count=alarms.c.count + 1,
                            last_real_time=values["last_real_time"],
                            last_message=values["last_message"],
                        ),
                    )
                )
        except Exception:
            log.exception("ALARM %s could not be counted in the database either", kind.value)

    def totals(self) -> dict[str, int]:
        """Every kind, 0 for those that never fired (a counter Prometheus can alert on)."""
        counts = {kind.value: 0 for kind in AlarmKind}
        with self.db.connect() as conn:
            counts.update({row.kind: row.count for row in conn.execute(sa.select(alarms.c.kind, alarms.c.count))})
        return counts

    def exposition(self) -> str:
        lines = [
            "# HELP kallelse_alarms_total Work the simulator failed to do although the caller was answered "
            "(a lost traffic record or notification); see the server log at ERROR.",
            "# TYPE kallelse_alarms_total counter",
        ]
        lines += [f'kallelse_alarms_total{{kind="{kind}"}} {count}' for kind, count in sorted(self.totals().items())]
        return "\n".join(lines) + "\n"
