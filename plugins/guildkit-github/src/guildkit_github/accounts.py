"""Linked accounts: which host user each GitHub account is, in ``guildkit_github_accounts``.

One row per link, unique both ways (a GitHub account is one member; a member has one GitHub
account). Users are matched by GitHub's numeric id, never by login: logins can be renamed and
then taken by someone else. The login is kept for display and refreshed from each delivery.

Writes go through ``gk.transaction`` (guildkit's retrying write connection); reads use the
engine directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from guildkit import GuildKit, GuildKitError, ValidationError

metadata = sa.MetaData()

ACCOUNTS = sa.Table(
    "guildkit_github_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("github_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("login", sa.String(100), nullable=True),
    sa.Column("user_id", sa.String(191), nullable=False, unique=True),
    sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
)


class LinkConflict(GuildKitError, ValueError):
    """The GitHub account, or the host user, is already linked to someone else."""

    code = "github_link_conflict"


@dataclass(frozen=True)
class Account:
    github_id: int
    login: str | None
    user_id: str
    linked_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> Account:
        linked_at: datetime = row.linked_at
        if linked_at.tzinfo is None:  # SQLite keeps no offset; we only ever store UTC
            linked_at = linked_at.replace(tzinfo=UTC)
        return cls(int(row.github_id), row.login, str(row.user_id), linked_at)

    def as_json(self) -> dict[str, Any]:
        return {
            "github_id": self.github_id,
            "login": self.login,
            "user_id": self.user_id,
            "linked_at": self.linked_at.isoformat(),
        }


def _check_github_id(github_id: object) -> int:
    if not isinstance(github_id, int) or isinstance(github_id, bool) or not 0 < github_id < 2**63:
        raise ValidationError(f"github_id must be a positive integer, got {github_id!r}", field="github_id")
    return github_id


def _check_user_id(user_id: object) -> str:
    if isinstance(user_id, bool) or not isinstance(user_id, str | int) or not 0 < len(str(user_id)) <= 191:
        raise ValidationError(f"user_id must be a host user id of 1-191 characters, got {user_id!r}", field="user_id")
    return str(user_id)


def link(gk: GuildKit, *, github_id: int, user_id: str | int, login: str | None = None) -> Account:
    """Link GitHub account ``github_id`` to host user ``user_id`` (again: only refreshes the login)."""
    github_id = _check_github_id(github_id)
    user = _check_user_id(user_id)
    if login is not None and (not isinstance(login, str) or not 0 < len(login) <= 100):
        raise ValidationError(f"login must be 1-100 characters, got {login!r}", field="login")

    def write(conn: sa.Connection, now: datetime) -> Account:
        rows = conn.execute(
            sa.select(ACCOUNTS).where(sa.or_(ACCOUNTS.c.github_id == github_id, ACCOUNTS.c.user_id == user))
        ).all()
        for row in rows:
            if row.github_id == github_id and row.user_id == user:
                if login is not None and row.login != login:
                    conn.execute(sa.update(ACCOUNTS).where(ACCOUNTS.c.id == row.id).values(login=login))
                account = Account.from_row(row)
                return Account(account.github_id, login or account.login, account.user_id, account.linked_at)
        for row in rows:
            if row.github_id == github_id:
                raise LinkConflict(
                    f"GitHub account {github_id} ({row.login or 'login unknown'}) is already linked to user "
                    f"{row.user_id!r}: unlink it first",
                    github_id=github_id,
                )
            raise LinkConflict(
                f"user {user!r} is already linked to GitHub account {row.github_id} ({row.login or 'login unknown'}): "
                "unlink it first",
                user_id=user,
            )
        values = {"github_id": github_id, "login": login, "user_id": user, "linked_at": now}
        try:
            with conn.begin_nested():
                conn.execute(sa.insert(ACCOUNTS).values(values))
        except sa.exc.IntegrityError:
            # A concurrent link of the same account or user won the race.
            raise LinkConflict(
                f"GitHub account {github_id} or user {user!r} was linked at the same moment; try again",
                github_id=github_id,
                user_id=user,
            ) from None
        return Account(github_id, login, user, now)

    return gk.transaction(lambda tx: write(tx.conn, tx.now))


def unlink(
    gk: GuildKit, *, github_id: int | None = None, login: str | None = None, user_id: str | int | None = None
) -> Account | None:
    """Remove the link found by exactly one of ``github_id``, ``login`` or ``user_id``; the removed
    link, or ``None`` when there was none. Activities already recorded stay."""
    given = [name for name, value in (("github_id", github_id), ("login", login), ("user_id", user_id)) if value]
    if len(given) != 1:
        raise ValidationError("give exactly one of github_id, login or user_id", field="github_id")
    if github_id is not None:
        where = ACCOUNTS.c.github_id == _check_github_id(github_id)
    elif login is not None:
        where = sa.func.lower(ACCOUNTS.c.login) == login.lower()
    else:
        where = ACCOUNTS.c.user_id == _check_user_id(user_id)

    def write(conn: sa.Connection) -> Account | None:
        rows = conn.execute(sa.select(ACCOUNTS).where(where)).all()
        if not rows:
            return None
        conn.execute(sa.delete(ACCOUNTS).where(ACCOUNTS.c.id == rows[0].id))
        return Account.from_row(rows[0])

    return gk.transaction(lambda tx: write(tx.conn))


def linked_accounts(gk: GuildKit) -> list[Account]:
    """Every link, oldest first."""
    with gk.store.engine.connect() as conn:
        rows = conn.execute(sa.select(ACCOUNTS).order_by(ACCOUNTS.c.linked_at, ACCOUNTS.c.id)).all()
    return [Account.from_row(row) for row in rows]


def account_for_user(gk: GuildKit, user_id: str | int) -> Account | None:
    with gk.store.engine.connect() as conn:
        row = conn.execute(sa.select(ACCOUNTS).where(ACCOUNTS.c.user_id == str(user_id))).first()
    return None if row is None else Account.from_row(row)


def find(conn: sa.Connection, github_ids: Iterable[int]) -> dict[int, Account]:
    """The links of ``github_ids`` that exist, by GitHub id."""
    ids = sorted(set(github_ids))
    if not ids:
        return {}
    rows = conn.execute(sa.select(ACCOUNTS).where(ACCOUNTS.c.github_id.in_(ids))).all()
    return {int(row.github_id): Account.from_row(row) for row in rows}


def refresh_logins(conn: sa.Connection, known: Mapping[int, Account], seen: Mapping[int, str]) -> None:
    """Store logins that changed since the link was made (``seen``: GitHub id -> login in a delivery)."""
    for github_id, login in seen.items():
        account = known.get(github_id)
        if account is not None and account.login != login and 0 < len(login) <= 100:
            conn.execute(
                sa.update(ACCOUNTS)
                .where(ACCOUNTS.c.github_id == github_id, sa.or_(ACCOUNTS.c.login.is_(None), ACCOUNTS.c.login != login))
                .values(login=login)
            )
