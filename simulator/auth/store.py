"""API tokens, stored hashed (``tokens.digest``): the database never holds a secret."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from simulator.auth.tokens import Role, Token, digest, new_secret
from simulator.storage.database import Database, UtcDateTime, metadata

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("consumer", sa.String(200)),
    sa.Column("created", UtcDateTime(), nullable=False),
    sa.Column("revoked", UtcDateTime()),
)

_BY_DIGEST = sa.select(api_tokens).where(api_tokens.c.digest == sa.bindparam("digest"), api_tokens.c.revoked.is_(None))


def _token(row) -> Token:
    return Token(row.id, row.name, Role(row.role), row.consumer, row.created.isoformat(), row.revoked is not None)


class TokenStore:
    def __init__(self, db: Database):
        self.db = db

    def create(self, role: Role, consumer: str | None, name: str, now: dt.datetime) -> tuple[Token, str]:
        """A new token and its secret, which is shown this once and never stored."""
        if (role is Role.VENDOR) != bool(consumer):
            raise ValueError("a vendor token needs --consumer (its HSA-id); other roles take none")
        secret = new_secret()
        values = dict(digest=digest(secret), name=name, role=role.value, consumer=consumer, created=now)
        with self.db.begin() as conn:
            new_id = conn.execute(api_tokens.insert().values(**values)).inserted_primary_key[0]
        return Token(new_id, name, role, consumer, now.isoformat()), secret

    def renew(self, role: Role, consumer: str | None, name: str, now: dt.datetime) -> str:
        """A new secret for the token called ``name``: earlier live ones of that name are
        revoked (a process that makes its own token at every start leaves no trail)."""
        with self.db.begin() as conn:
            conn.execute(
                sa.update(api_tokens)
                .where(api_tokens.c.name == name, api_tokens.c.revoked.is_(None))
                .values(revoked=now)
            )
        return self.create(role, consumer, name, now)[1]

    def find(self, secret: str) -> Token | None:
        """The live token with this secret, or None (unknown or revoked)."""
        with self.db.connect() as conn:
            row = conn.execute(_BY_DIGEST, {"digest": digest(secret)}).first()
        return _token(row) if row else None

    def get(self, token_id: int) -> Token | None:
        with self.db.connect() as conn:
            row = conn.execute(
                sa.select(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(None))
            ).first()
        return _token(row) if row else None

    def all(self) -> list[Token]:
        with self.db.connect() as conn:
            return [_token(r) for r in conn.execute(sa.select(api_tokens).order_by(api_tokens.c.id)).all()]

    def revoke(self, token_id: int, now: dt.datetime) -> bool:
        with self.db.begin() as conn:
            done = conn.execute(
                sa.update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(None))
                .values(revoked=now)
            )
        return done.rowcount == 1
