"""API tokens for servers: the one place they are created, listed, checked and revoked.

A token is shown once, when it is made (``gk_`` and 43 random characters); only its SHA-256 is
stored. Its scopes are permissions (:meth:`GuildKit.permissions`). Creating and revoking write
the audit log (area ``tokens``) in the same transaction, whoever asks: the admin console and its
API (``by`` an admin), or host code and ``flask guildkit token`` (``via`` names them).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import audit
from guildkit.errors import UnknownToken, ValidationError, check_fields
from guildkit.models import ApiToken, table_of
from guildkit.text import check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

TOKENS = table_of(ApiToken)
TOKEN_PREFIX = "gk_"
#: ``last_used_at`` is precise to this much: writing it on every request would cost a commit each.
USE_NOTED_EVERY = timedelta(minutes=1)
SELECT_BY_HASH = sa.select(TOKENS).where(TOKENS.c.token_hash == sa.bindparam("hash"))
NOTE_USE = (
    TOKENS.update()
    .where(
        TOKENS.c.id == sa.bindparam("token"),
        sa.or_(TOKENS.c.last_used_at.is_(None), TOKENS.c.last_used_at <= sa.bindparam("cutoff")),
    )
    .values(last_used_at=sa.bindparam("now"))
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class Tokens:
    """``gk.tokens``: API tokens, for one :class:`~guildkit.GuildKit`."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def list(self) -> list[TokenView]:
        """Every token, newest first (revoked ones too, marked)."""
        rows = self.gk.session.execute(sa.select(TOKENS).order_by(TOKENS.c.id.desc()))
        return [_view(r) for r in rows]

    def get(self, token_id: int) -> TokenView:
        row = self.gk.session.execute(sa.select(TOKENS).where(TOKENS.c.id == token_id)).first()
        if row is None:
            raise UnknownToken(token_id)
        return _view(row)

    def create(
        self, by: str | int | None, name: str, scopes: Sequence[str], *, via: str | None = None
    ) -> tuple[str, TokenView]:
        """A new token: returned in clear this once, with its view; only its SHA-256 is stored."""
        actor = audit.admin_actor(self.gk, by, via)
        known = self.gk.permissions()

        def check_scopes() -> list[str]:
            if not isinstance(scopes, list | tuple) or not scopes or not all(isinstance(s, str) for s in scopes):
                raise ValidationError("choose at least one scope", field="scopes")
            unknown = sorted(set(scopes) - set(known))
            if unknown:  # named for the developer, but never a long input echoed back whole
                named = ", ".join(u if len(u) <= 40 else u[:40] + "…" for u in unknown[:3])
                raise ValidationError(f"scopes must be some of {', '.join(known)} (unknown: {named})", field="scopes")
            return list(scopes)

        checked = check_fields(
            {"name": lambda: check_text(name, "name", max_length=100).strip(), "scopes": check_scopes}
        )
        name = checked["name"]
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        values = {
            "name": name,
            "prefix": token[:10],
            "token_hash": hash_token(token),
            "scopes": sorted(set(scopes)),
            "created_by": actor,
        }

        def write(tx: Transaction) -> int:
            token_id = int(
                tx.conn.execute(
                    sa.insert(TOKENS).values(**values, created_at=tx.now).returning(TOKENS.c.id)
                ).scalar_one()
            )
            details = {"name": name, "prefix": values["prefix"], "scopes": values["scopes"]}
            _audit(tx, actor, "token.create", token_id, details=details)
            return token_id

        token_id = self.gk.transaction(write)
        return token, self.get(token_id)

    def revoke(self, by: str | int | None, token_id: int, *, reason: str = "", via: str | None = None) -> TokenView:
        """Revoke a token at once (revoking one already revoked changes nothing)."""
        actor = audit.admin_actor(self.gk, by, via)
        check_text(reason, "reason", max_length=2000, empty=True)

        def write(tx: Transaction) -> None:
            row = tx.conn.execute(
                sa.select(TOKENS.c.revoked_at, TOKENS.c.prefix).where(TOKENS.c.id == token_id)
            ).first()
            if row is None:
                raise UnknownToken(token_id)
            if row.revoked_at is None:
                tx.conn.execute(TOKENS.update().where(TOKENS.c.id == token_id).values(revoked_at=tx.now))
                _audit(tx, actor, "token.revoke", token_id, reason=reason, details={"prefix": row.prefix})

        self.gk.transaction(write)
        self.gk.session.expire_all()  # the read session may hold the token row from before
        return self.get(token_id)

    def authenticate(self, token: str) -> TokenView | None:
        """The live token ``token`` is (its use noted), or ``None`` for an unknown or revoked one.

        This runs on every API request, so it is lean: one Core ``SELECT`` on a connection handed
        back at once (never the read session, whose connection would stay checked out until the
        request ends while the write takes another), and ``last_used_at`` written at most once
        a minute per token, by a conditional ``UPDATE`` that concurrent requests cannot repeat.
        """
        if not token.startswith(TOKEN_PREFIX):
            return None
        # Autocommit: one round trip, no BEGIN/ROLLBACK; and a rollback would make psycopg drop
        # every statement it prepared on this pooled connection (DEALLOCATE ALL).
        with self.gk.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            row = conn.execute(SELECT_BY_HASH, {"hash": hash_token(token)}).first()
        if row is None or row.revoked_at is not None:
            return None
        view = _view(row)
        now = self.gk.clock()
        if row.last_used_at is None or row.last_used_at <= now - USE_NOTED_EVERY:
            self.gk.store.run_write(
                lambda conn: conn.execute(NOTE_USE, {"token": row.id, "now": now, "cutoff": now - USE_NOTED_EVERY})
            )
            view = replace(view, last_used_at=now)
        return view


def _audit(tx: Transaction, actor: str | None, action: str, token_id: int, **entry: Any) -> None:
    """One row of the audit log (area ``tokens``), committed with the change to the token."""
    audit.write(tx.conn, tx.now, area="tokens", actor=actor, action=action, target=f"token:{token_id}", **entry)


def _view(row: Any) -> TokenView:
    return TokenView(
        row.id,
        row.name,
        row.prefix,
        list(row.scopes or []),
        row.created_at,
        row.created_by,
        row.last_used_at,
        row.revoked_at,
    )
