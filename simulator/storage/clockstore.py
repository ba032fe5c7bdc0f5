"""Shared, audited clock state: every process reads the same simulated time."""

from __future__ import annotations

import json

import sqlalchemy as sa

from simulator.clock import Clock, ClockState, apply_command
from simulator.storage.database import Database, UtcDateTime, metadata
from simulator.storage.fixed import FixedRead
from simulator.storage.scope import forget, memoized

clock_state = sa.Table(
    "clock_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("real_anchor", UtcDateTime(), nullable=False),
    sa.Column("sim_anchor", UtcDateTime(), nullable=False),
    sa.Column("speed", sa.Float, nullable=False, default=1.0),
    sa.Column("frozen", sa.Boolean, nullable=False, default=False),
)

clock_audit = sa.Table(
    "clock_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("real_time", UtcDateTime(), nullable=False),
    sa.Column("sim_before", UtcDateTime(), nullable=False),
    sa.Column("sim_after", UtcDateTime(), nullable=False),
    sa.Column("command", sa.Text, nullable=False),
    sa.Column("actor", sa.Text),  # X-Actor header: whatever length a client sends
)


# Read on every SOAP request: on the driver's cursor (storage/fixed.py).
_SELECT_STATE = FixedRead(
    sa.select(clock_state.c.real_anchor, clock_state.c.sim_anchor, clock_state.c.speed, clock_state.c.frozen).where(
        clock_state.c.id == 1
    )
)


class ClockStore:
    def __init__(self, db: Database):
        self.db = db
        self.clock = Clock(self.load)

    def load(self) -> ClockState | None:
        """The shared state; read once per request inside a request scope."""
        return memoized(self, self._read)

    def _read(self) -> ClockState | None:
        with self.db.connect() as conn:
            row = _SELECT_STATE.first(conn)
        if row is None:
            return None
        real_anchor, sim_anchor, speed, frozen = row
        return ClockState(real_anchor, sim_anchor, speed, bool(frozen))

    def command(self, command: dict, actor: str | None = None) -> ClockState:
        """Apply a control command, store it and audit it (ValueError on bad input)."""
        forget(self)
        real_now = self.clock.real_now()
        before = self.clock.state()
        after = apply_command(before, command, real_now)
        values = dict(
            real_anchor=after.real_anchor, sim_anchor=after.sim_anchor, speed=after.speed, frozen=after.frozen
        )
        with self.db.begin() as conn:
            if conn.execute(sa.update(clock_state).where(clock_state.c.id == 1).values(**values)).rowcount == 0:
                conn.execute(sa.insert(clock_state).values(id=1, **values))
            conn.execute(
                sa.insert(clock_audit).values(
                    real_time=real_now,
                    sim_before=before.now(real_now),
                    sim_after=after.now(real_now),
                    command=json.dumps(command, sort_keys=True),
                    actor=actor,
                )
            )
        forget(self)
        return after

    def audit(self, limit: int = 100) -> list[dict]:
        with self.db.connect() as conn:
            rows = conn.execute(sa.select(clock_audit).order_by(clock_audit.c.id.desc()).limit(limit)).all()
        return [
            {
                "real_time": r.real_time.isoformat(),
                "sim_before": r.sim_before.isoformat(),
                "sim_after": r.sim_after.isoformat(),
                "command": json.loads(r.command),
                "actor": r.actor,
            }
            for r in rows
        ]
