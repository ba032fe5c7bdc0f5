"""Platform state every server process shares: the active routing file and the behaviour
rules with their firing counts.

gunicorn runs several worker processes, so nothing here may live only in memory. Each
process caches the routing table and the rules and asks one cheap question per call —
"has the generation changed?" — reloading only when a change was made. Firing a rule is
an atomic ``UPDATE ... WHERE remaining > 0``, so "the next 3 calls" means 3 across all
workers.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from simulator.clock import UTC
from simulator.platform.behaviours import Rule
from simulator.storage.database import Database, UtcDateTime, metadata
from simulator.storage.fixed import FixedRead

platform_state = sa.Table(
    "platform_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("generation", sa.Integer, nullable=False, default=0),
    sa.Column("routing_path", sa.Text),
    sa.Column("routing_source", sa.Text),
)

behaviour_rules = sa.Table(
    "behaviour_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("match", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("times", sa.Integer),
    sa.Column("remaining", sa.Integer),
    sa.Column("probability", sa.Float, nullable=False, default=1.0),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("fired", sa.Integer, nullable=False, default=0),
    sa.Column("created", UtcDateTime(), nullable=False),
)


# Every SOAP call asks for the generation: on the driver's cursor (storage/fixed.py).
_GENERATION = FixedRead(sa.select(platform_state.c.generation).where(platform_state.c.id == 1))


class PlatformStore:
    def __init__(self, db: Database):
        self.db = db

    def generation(self) -> int:
        with self.db.connect() as conn:
            row = _GENERATION.first(conn)
        return (row[0] if row else None) or 0

    @staticmethod
    def _bump(conn, **values) -> None:
        updated = conn.execute(
            sa.update(platform_state)
            .where(platform_state.c.id == 1)
            .values(generation=platform_state.c.generation + 1, **values)
        ).rowcount
        if not updated:
            conn.execute(sa.insert(platform_state).values(id=1, generation=1, **values))

    def routing(self) -> tuple[str | None, str | None]:
        with self.db.connect() as conn:
            row = conn.execute(
                sa.select(platform_state.c.routing_path, platform_state.c.routing_source).where(
                    platform_state.c.id == 1
                )
            ).first()
        return (row.routing_path, row.routing_source) if row else (None, None)

    def set_routing(self, path: str | None, source: str | None) -> bool:
        """Store the routing file every process should use; True if it changed."""
        if self.routing() == (path, source):
            return False
        with self.db.begin() as conn:
            self._bump(conn, routing_path=path, routing_source=source)
        return True

    def rules(self) -> list[Rule]:
        with self.db.connect() as conn:
            rows = conn.execute(sa.select(behaviour_rules).order_by(behaviour_rules.c.id)).all()
        return [_rule(row) for row in rows]

    def rule(self, rule_id: int) -> Rule | None:
        with self.db.connect() as conn:
            row = conn.execute(sa.select(behaviour_rules).where(behaviour_rules.c.id == rule_id)).first()
        return _rule(row) if row else None

    def add_rule(self, rule: Rule, created) -> Rule:
        with self.db.begin() as conn:
            rule.id = conn.execute(
                sa.insert(behaviour_rules).values(
                    match=json.dumps(rule.match),
                    action=json.dumps(rule.action),
                    times=rule.times,
                    remaining=rule.times,
                    probability=rule.probability,
                    description=rule.description,
                    fired=0,
                    created=created.astimezone(UTC),
                )
            ).inserted_primary_key[0]
            self._bump(conn)
        rule.created = created.isoformat()
        return rule

    def delete_rule(self, rule_id: int) -> bool:
        with self.db.begin() as conn:
            deleted = conn.execute(sa.delete(behaviour_rules).where(behaviour_rules.c.id == rule_id)).rowcount
            self._bump(conn)
        return bool(deleted)

    def clear_rules(self) -> int:
        with self.db.begin() as conn:
            deleted = conn.execute(sa.delete(behaviour_rules)).rowcount
            self._bump(conn)
        return deleted

    def claim(self, rule_id: int) -> bool:
        """Count one firing if the rule has firings left; False if another call (in any
        process) took the last one or the rule was deleted."""
        rule = behaviour_rules.c
        with self.db.begin() as conn:
            return (
                conn.execute(
                    sa.update(behaviour_rules)
                    .where(rule.id == rule_id, sa.or_(rule.remaining.is_(None), rule.remaining > 0))
                    .values(
                        fired=rule.fired + 1,
                        remaining=sa.case((rule.remaining.is_(None), None), else_=rule.remaining - 1),
                    )
                ).rowcount
                == 1
            )


def _rule(row) -> Rule:
    created = row.created
    return Rule(
        match=json.loads(row.match),
        action=json.loads(row.action),
        times=row.times,
        probability=row.probability,
        description=row.description,
        id=row.id,
        fired=row.fired,
        remaining=row.remaining,
        created=created.isoformat() if created else None,
    )
