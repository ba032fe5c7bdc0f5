"""Recorded traffic: one row per SOAP exchange through any endpoint, kept durably and
bounded by a retention limit (row count and age).

The hot path costs one INSERT. Every ``PRUNE_EVERY`` inserts a process deletes what
falls outside the limit; the rows it deletes are folded into ``traffic_rollup`` first
(``DELETE ... RETURNING``, so two processes never count the same row), which keeps the
Prometheus counters monotonic although the traffic itself is pruned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from simulator.clock import UTC
from simulator.storage.database import Database, UtcDateTime, metadata
from simulator.storage.scope import defer, transaction

# Latency histogram bucket bounds in seconds (Prometheus ``le``).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PRUNE_EVERY = 200
MAX_STORED_BODY = 1_000_000
LISTED_BODY_MAX = 65_536  # characters of each body in a list or export row; the record itself has it all
EXPORT_CHUNK = 50  # rows per query while exporting: memory stays ~ EXPORT_CHUNK x 2 x LISTED_BODY_MAX
LABEL_MAX = 500  # characters of a consumer kept as a metrics label (rollup key)
NUL_STANDIN = "\u2400"  # "␀": PostgreSQL text cannot hold NUL, so both databases store this

traffic = sa.Table(
    "traffic",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sim_time", UtcDateTime(), nullable=False, index=True),
    sa.Column("real_time", UtcDateTime(), nullable=False),
    sa.Column("contract", sa.String(100), nullable=False, index=True),
    sa.Column("soap_action", sa.Text),
    # What a caller sends is text of any length (issue 13: a varchar(200) lost records on
    # PostgreSQL). Equality lookups use hash indexes there: a B-tree entry must stay under
    # ~2.7 kB, a hash index stores only the hash.
    sa.Column("consumer", sa.Text),
    sa.Column("original_consumer", sa.Text),
    sa.Column("logical_address", sa.Text),
    sa.Column("personnummer", sa.Text),  # ",pnr1,pnr2," for exact-token LIKE
    sa.Column("business_object_id", sa.Text),
    sa.Column("source_system", sa.Text),
    sa.Column("http_status", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("verdict", sa.String(10), nullable=False),
    sa.Column("rule_ids", sa.Text, nullable=False, default=""),  # ",MC-01,MC-04,"
    sa.Column("fault_code", sa.String(20)),
    sa.Column("fault_text", sa.Text),
    sa.Column("result_code", sa.String(10)),
    sa.Column("behaviour_id", sa.Integer),
    sa.Column("route", sa.Text),
    sa.Column("latency_ms", sa.Float, nullable=False),
    sa.Column("request_body", sa.Text),
    sa.Column("response_body", sa.Text),
    sa.Index("ix_traffic_consumer", "consumer", postgresql_using="hash"),
    sa.Index("ix_traffic_business_object_id", "business_object_id", postgresql_using="hash"),
)

_INSERT = traffic.insert()
_NEWEST = sa.select(sa.func.max(traffic.c.id))
_OLDEST = sa.select(traffic.c.real_time).order_by(traffic.c.id).limit(1)
_BUCKET_COLUMNS = [f"le_{i}" for i in range(len(BUCKETS))]

traffic_rollup = sa.Table(
    "traffic_rollup",
    metadata,
    sa.Column("contract", sa.String(100), primary_key=True),
    sa.Column("consumer", sa.Text, primary_key=True),  # cut to LABEL_MAX: a key must fit a B-tree
    sa.Column("outcome", sa.String(20), primary_key=True),
    sa.Column("fault_code", sa.String(20), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("latency_sum_ms", sa.Float, nullable=False),
    *[sa.Column(name, sa.Integer, nullable=False) for name in _BUCKET_COLUMNS],
)


@dataclasses.dataclass
class Exchange:
    """One recorded call, as the recorder hands it over."""

    sim_time: dt.datetime
    real_time: dt.datetime
    contract: str
    http_status: int
    outcome: str
    verdict: str
    latency_ms: float
    soap_action: str | None = None
    consumer: str | None = None
    original_consumer: str | None = None
    logical_address: str | None = None
    personnummer: tuple[str, ...] = ()
    business_object_id: str | None = None
    source_system: str | None = None
    rule_ids: tuple[str, ...] = ()
    fault_code: str | None = None
    fault_text: str | None = None
    result_code: str | None = None
    behaviour_id: int | None = None
    route: str | None = None
    request_body: str | None = None
    response_body: str | None = None


@dataclasses.dataclass(frozen=True)
class Retention:
    max_rows: int = 20_000
    max_age: dt.timedelta = dt.timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class TrafficFilter:
    contract: str | None = None
    consumer: str | None = None
    logical_address: str | None = None
    personnummer: str | None = None
    business_object_id: str | None = None
    verdict: str | None = None
    outcome: str | None = None
    rule_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def where(self) -> list:
        t = traffic.c
        clauses = [
            getattr(t, key) == getattr(self, key)
            for key in ("contract", "consumer", "logical_address", "business_object_id", "verdict", "outcome")
            if getattr(self, key) is not None
        ]
        if self.personnummer is not None:
            clauses.append(t.personnummer.contains(f",{self.personnummer},", autoescape=True))
        if self.rule_id is not None:
            clauses.append(t.rule_ids.contains(f",{self.rule_id},", autoescape=True))
        if self.since is not None:
            clauses.append(t.sim_time >= _utc(self.since))
        if self.until is not None:
            clauses.append(t.sim_time < _utc(self.until))
        return clauses


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(UTC)


def _tokens(values) -> str:
    return f",{','.join(values)}," if values else ""


def _clip(body: str | None) -> str | None:
    if body is not None and "\x00" in body:
        body = body.replace("\x00", NUL_STANDIN)
    if body is None or len(body) <= MAX_STORED_BODY:
        return body
    return body[:MAX_STORED_BODY] + f"\n<!-- kallelse: {len(body) - MAX_STORED_BODY} more characters not stored -->"


class TrafficStore:
    def __init__(self, db: Database, retention: Retention = Retention()):
        self.db = db
        self.retention = retention
        self._inserts = itertools.count(1)

    def record(self, exchange: Exchange) -> None:
        row = dict(
            vars(exchange),
            sim_time=_utc(exchange.sim_time),
            real_time=_utc(exchange.real_time),
            personnummer=_tokens(exchange.personnummer),
            rule_ids=_tokens(exchange.rule_ids),
            request_body=_clip(exchange.request_body),
            response_body=_clip(exchange.response_body),
        )
        with transaction(self.db, isolated=True) as conn:  # joins the request's one commit
            conn.execute(_INSERT, row)  # one cached statement: parameters, not .values()
        if next(self._inserts) % PRUNE_EVERY == 0:
            self.prune(exchange.real_time)

    def prune(self, real_now: dt.datetime) -> int:
        """Delete rows beyond the retention limit, folding them into the rollup. Inside a
        SOAP request this is part of the request's write set (never a second writer beside
        it) and returns 0; outside one it returns how many rows went."""
        gone: list = []

        def delete(conn) -> None:
            t = traffic.c
            newest = conn.execute(_NEWEST).scalar() or 0
            too_old = _utc(real_now - self.retention.max_age)
            beyond = t.id <= newest - self.retention.max_rows
            # Rows are numbered as they arrive, so the oldest row tells whether any is past the
            # age limit; only then the delete looks at real_time, which has no index (a scan
            # of every row on each prune held the writers' lock for milliseconds).
            oldest = conn.execute(_OLDEST).first()
            where = sa.or_(beyond, t.real_time < too_old) if oldest and oldest.real_time < too_old else beyond
            gone.extend(
                conn.execute(
                    sa.delete(traffic)
                    .where(where)
                    .returning(t.contract, t.consumer, t.outcome, t.fault_code, t.latency_ms)
                ).all()
            )
            if gone:
                self._fold(conn, gone)

        defer(self.db, delete, isolated=True)
        return len(gone)

    def _fold(self, conn, rows) -> None:
        groups: dict[tuple, list[float]] = defaultdict(list)
        for row in rows:
            groups[(row.contract, (row.consumer or "")[:LABEL_MAX], row.outcome, row.fault_code or "")].append(
                row.latency_ms
            )
        insert = (sqlite.insert if self.db.is_sqlite else postgresql.insert)(traffic_rollup)
        for (contract, consumer, outcome, fault_code), latencies in groups.items():
            buckets = {
                name: sum(1 for ms in latencies if ms <= bound * 1000)
                for name, bound in zip(_BUCKET_COLUMNS, BUCKETS, strict=False)
            }
            values = dict(
                contract=contract,
                consumer=consumer,
                outcome=outcome,
                fault_code=fault_code,
                count=len(latencies),
                latency_sum_ms=sum(latencies),
                **buckets,
            )
            adds = {
                name: getattr(traffic_rollup.c, name) + getattr(insert.excluded, name)
                for name in ("count", "latency_sum_ms", *_BUCKET_COLUMNS)
            }
            conn.execute(
                insert.values(**values).on_conflict_do_update(
                    index_elements=["contract", "consumer", "outcome", "fault_code"], set_=adds
                )
            )

    def query(self, where: TrafficFilter, limit: int, before_id: int | None = None, bodies: bool = False) -> list[dict]:
        """Newest first; ``before_id`` pages further back. Bodies are cut to
        LISTED_BODY_MAX characters (``request_body_cut``/``response_body_cut`` say so)."""
        stmt = sa.select(*_listed_columns(bodies)).where(*where.where()).order_by(traffic.c.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(traffic.c.id < before_id)
        with self.db.connect() as conn:
            return [_as_dict(row) for row in conn.execute(stmt)]

    def get(self, record_id: int) -> dict | None:
        with self.db.connect() as conn:
            row = conn.execute(sa.select(traffic).where(traffic.c.id == record_id)).first()
        return _as_dict(row) if row else None

    def iterate(self, where: TrafficFilter, chunk: int = EXPORT_CHUNK):
        """Oldest first, every matching row with its bodies cut as in ``query`` (for the
        streamed JSON Lines export): a few rows in memory at a time, no connection held
        between chunks."""
        after = 0
        columns = _listed_columns(bodies=True)
        while True:
            stmt = sa.select(*columns).where(*where.where(), traffic.c.id > after).order_by(traffic.c.id).limit(chunk)
            with self.db.connect() as conn:
                rows = [_as_dict(row) for row in conn.execute(stmt)]
            yield from rows
            if len(rows) < chunk:
                return
            after = rows[-1]["id"]

    def count(self) -> int:
        with self.db.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(traffic)).scalar()

    def clear(self) -> int:
        with self.db.begin() as conn:
            conn.execute(sa.delete(traffic_rollup))
            return conn.execute(sa.delete(traffic)).rowcount

    def totals(self) -> list[dict]:
        """Counters per (contract, consumer, outcome, fault_code) since the last reset:
        the rollup of pruned rows plus the rows still kept."""
        t = traffic.c
        live = sa.select(
            t.contract,
            sa.func.substr(sa.func.coalesce(t.consumer, ""), 1, LABEL_MAX).label("consumer"),
            t.outcome,
            sa.func.coalesce(t.fault_code, "").label("fault_code"),
            sa.func.count().label("count"),
            sa.func.sum(t.latency_ms).label("latency_sum_ms"),
            *[
                sa.func.sum(sa.case((t.latency_ms <= bound * 1000, 1), else_=0)).label(name)
                for name, bound in zip(_BUCKET_COLUMNS, BUCKETS, strict=False)
            ],
        ).group_by(t.contract, t.consumer, t.outcome, t.fault_code)
        totals: dict[tuple, Counter] = defaultdict(Counter)
        with self.db.connect() as conn:
            for row in itertools.chain(conn.execute(live), conn.execute(sa.select(traffic_rollup))):
                key = (row.contract, row.consumer, row.outcome, row.fault_code)
                totals[key].update(
                    {name: getattr(row, name) or 0 for name in ("count", "latency_sum_ms", *_BUCKET_COLUMNS)}
                )
        return [
            dict(
                contract=k[0],
                consumer=k[1],
                outcome=k[2],
                fault_code=k[3],
                buckets=[v[name] for name in _BUCKET_COLUMNS],
                count=v["count"],
                latency_sum_ms=v["latency_sum_ms"],
            )
            for k, v in totals.items()
        ]


_BODIES = ("request_body", "response_body")


def _listed_columns(bodies: bool) -> list:
    """Every column; with ``bodies`` each body cut in SQL (the database never hands over
    more) plus its full length, so the cut can be flagged."""
    columns: list[sa.ColumnElement] = [c for c in traffic.c if c.name not in _BODIES]
    if bodies:
        for name in _BODIES:
            column = traffic.c[name]
            columns += [
                sa.func.substr(column, 1, LISTED_BODY_MAX).label(name),
                sa.func.length(column).label(f"{name}_length"),
            ]
    return columns


def _as_dict(row) -> dict:
    data = dict(row._mapping)
    for name in _BODIES:
        length = data.pop(f"{name}_length", None)
        if length is not None or name in data:
            data[f"{name}_cut"] = (length or 0) > LISTED_BODY_MAX
    for key in ("sim_time", "real_time"):
        value = data.pop(key)
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        data["time" if key == "sim_time" else "real_time"] = value.isoformat()
    data["personnummer"] = [p for p in (data.get("personnummer") or "").split(",") if p]
    data["rule_ids"] = [r for r in (data.get("rule_ids") or "").split(",") if r]
    return data
