"""Citizens table: the personnummer as key, the whole citizen as JSON (the services read
a citizen at a time; nothing queries inside it)."""

from __future__ import annotations

import functools
import json

import sqlalchemy as sa

from simulator.population.domain import Citizen
from simulator.storage import Database, metadata
from simulator.storage.fixed import FixedRead, driver_cursor

citizens = sa.Table(
    "citizens",
    metadata,
    sa.Column("personnummer", sa.String(12), primary_key=True),
    sa.Column("seeded", sa.Boolean, nullable=False, default=False),
    sa.Column("data", sa.Text, nullable=False),
    # A reservnummer's main identity, so the main identity's record can name it (PU linkedIdentity).
    sa.Column("linked_identity", sa.String(12), index=True),
)


# Built once: producers look a citizen up on every call (``lookup``: on the driver's cursor).
_BY_PERSONNUMMER = sa.select(citizens.c.data).where(citizens.c.personnummer == sa.bindparam("pnr"))
_LOOKUP = FixedRead(_BY_PERSONNUMMER)
SHARED_CITIZENS = 2048  # decoded citizens kept per process for lookup(): ~5 MB at most


# PU reads up to 500 citizens per call. A Core select with ``in_()`` is built, coerced
# and compiled again for every list (a third of a 10-identity call); these two are
# written once and run on the driver's cursor with one placeholder per value.
_STORED_IN = "SELECT personnummer, data FROM citizens WHERE personnummer IN {}"
_LINKED_IN = "SELECT personnummer, linked_identity FROM citizens WHERE linked_identity IN {}"
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # sqlite3, psycopg


def _rows_in(conn: sa.Connection, sql: str, values: list[str]) -> list[tuple]:
    placeholder = _PLACEHOLDERS.get(conn.dialect.paramstyle)
    if placeholder is None:  # another driver: let SQLAlchemy bind the list (it writes the parentheses)
        text = sa.text(sql.format(":values")).bindparams(sa.bindparam("values", expanding=True))
        return [tuple(row) for row in conn.execute(text, {"values": values})]
    with driver_cursor(conn) as cursor:
        cursor.execute(sql.format(f"({', '.join([placeholder] * len(values))})"), values)
        return cursor.fetchall()


def _to_row(citizen: Citizen) -> dict:
    return {
        "personnummer": citizen.personnummer,
        "seeded": citizen.seeded,
        "linked_identity": citizen.linked_identity,
        "data": json.dumps(citizen.to_json(), ensure_ascii=False, sort_keys=True),
    }


def from_stored(data: str) -> Citizen:
    """A citizen from its stored JSON text (the ``data`` column, :meth:`CitizenStore.stored_many`)."""
    return Citizen.from_json(json.loads(data))


@functools.lru_cache(maxsize=SHARED_CITIZENS)
def shared_citizen(data: str) -> Citizen:
    """The citizen of a stored text, decoded once per process and shared (the same object
    :meth:`CitizenStore.lookup` gives): read only. Keyed by the stored text itself, so a
    changed citizen is simply another key (no invalidation across worker processes);
    bounded, so memory stays flat."""
    return from_stored(data)


class CitizenStore:
    def __init__(self, db: Database):
        self.db = db

    def get(self, personnummer: str) -> Citizen | None:
        with self.db.connect() as conn:
            data = conn.execute(_BY_PERSONNUMMER, {"pnr": personnummer}).scalar()
        return from_stored(data) if data else None

    def lookup(self, personnummer: str) -> Citizen | None:
        """The citizen for a SOAP producer, which only reads it: the same object for the
        same stored data (decoding the JSON cost as much as the rest of a GetUserProfile).
        Never change what this returns; :meth:`get` gives a private copy."""
        with self.db.connect() as conn:
            row = _LOOKUP.first(conn, pnr=personnummer)
        return shared_citizen(row[0]) if row else None

    def get_many(self, personnummer: list[str]) -> dict[str, Citizen]:
        if not personnummer:
            return {}
        with self.db.connect() as conn:
            rows = conn.execute(sa.select(citizens.c.data).where(citizens.c.personnummer.in_(set(personnummer))))
            found = [from_stored(r.data) for r in rows]
        return {c.personnummer: c for c in found}

    def stored_many(self, personnummer: list[str]) -> dict[str, str]:
        """{personnummer: the stored JSON text} without turning it into a Citizen: a reader
        that keeps what it derives from a stored version (PU's person records) keys it by
        this text and parses only the versions it has not seen."""
        if not personnummer:
            return {}
        with self.db.connect() as conn:
            return dict(_rows_in(conn, _STORED_IN, sorted(set(personnummer))))

    def linked_to(self, personnummer: list[str]) -> dict[str, list[str]]:
        """{main identity: the reservnummer linked to it} for these main identities."""
        if not personnummer:
            return {}
        found: dict[str, list[str]] = {}
        with self.db.connect() as conn:
            for reserve, main in sorted(_rows_in(conn, _LINKED_IN, sorted(set(personnummer)))):
                found.setdefault(main, []).append(reserve)
        return found

    def all(self) -> list[Citizen]:
        with self.db.connect() as conn:
            rows = conn.execute(sa.select(citizens.c.data).order_by(citizens.c.personnummer)).all()
        return [from_stored(r.data) for r in rows]

    def labelled(self) -> list[Citizen]:
        """The citizens with a persona label (the demo persons the login page offers).
        The stored JSON is searched for a string label first, so a campaign's thousands of
        unlabelled citizens are not decoded for every page view; the decoded citizen
        decides. Decoded through :func:`shared_citizen` (read only): the ~200 labelled
        citizens were decoded again on every view of the login page (~0.1 ms each)."""
        query = sa.select(citizens.c.data).where(citizens.c.data.like('%"label": "%')).order_by(citizens.c.personnummer)
        with self.db.connect() as conn:
            rows = conn.execute(query).all()
        return [c for c in (shared_citizen(r.data) for r in rows) if c.label]

    def create(self, citizen: Citizen) -> bool:
        """False if the personnummer exists already."""
        try:
            with self.db.begin() as conn:
                conn.execute(sa.insert(citizens).values(**_to_row(citizen)))
        except sa.exc.IntegrityError:
            return False
        return True

    def save(self, citizen: Citizen) -> None:
        row = _to_row(citizen)
        with self.db.begin() as conn:
            if (
                conn.execute(
                    sa.update(citizens).where(citizens.c.personnummer == citizen.personnummer).values(**row)
                ).rowcount
                == 0
            ):
                conn.execute(sa.insert(citizens).values(**row))

    def save_many(self, population: list[Citizen]) -> None:
        with self.db.begin() as conn:
            conn.execute(sa.delete(citizens).where(citizens.c.personnummer.in_([c.personnummer for c in population])))
            conn.execute(sa.insert(citizens), [_to_row(c) for c in population])

    def replace_seeded(self, population: list[Citizen]) -> None:
        """Load the seeded population of a date: seeded citizens of an earlier date that
        are not in it (the "turns 18 today" persons move with the date) go away."""
        with self.db.begin() as conn:
            conn.execute(sa.delete(citizens).where(citizens.c.seeded.is_(True)))
            conn.execute(sa.delete(citizens).where(citizens.c.personnummer.in_([c.personnummer for c in population])))
            conn.execute(sa.insert(citizens), [_to_row(c) for c in population])

    def delete(self, personnummer: str) -> bool:
        with self.db.begin() as conn:
            return conn.execute(sa.delete(citizens).where(citizens.c.personnummer == personnummer)).rowcount > 0

    def delete_unseeded(self, include_seeded: bool = False) -> None:
        with self.db.begin() as conn:
            query = sa.delete(citizens)
            if not include_seeded:
                query = query.where(citizens.c.seeded.is_(False))
            conn.execute(query)
