"""Sanctions over time: what a member sees, when a mute ends, and lifting suspensions.

A mute ends lazily (compared with the clock when asked); a suspension ends in :func:`sweep`; a
ban does not end. An overturned sanction (see :mod:`.appeals`) is lifted at once and no longer
counts anywhere. Setting a member back to ``active`` goes through the same ``guildkit.status``
activity that suspended them, so the record shows who lifted it and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.builtin.manual import STATUS
from guildkit.i18n import N_
from guildkit.moderation.common import MEMBERS, SANCTIONS, audit
from guildkit.moderation.views import SanctionView, active
from guildkit.store import kept
from guildkit.transaction import Transaction


def sanctions(conn: Any, user: str, now: datetime) -> list[SanctionView]:
    rows = conn.execute(
        sa.select(SANCTIONS)
        .join(MEMBERS, MEMBERS.c.id == SANCTIONS.c.member_id)
        .where(MEMBERS.c.user_id == user)
        .order_by(SANCTIONS.c.id.desc())
    )
    return [
        SanctionView(
            r.id,
            user,
            r.kind,
            r.reason,
            r.created_at,
            r.until,
            active(r.kind, r.until, r.lifted_at, now),
            r.case_id,
            r.overturned_at is not None,
        )
        for r in rows
    ]


def muted_until(session: Session, user: str, now: datetime) -> datetime | None:
    """When the member's longest mute not lifted ends, if that is after ``now``. The end is read
    once a request (every privilege asks: :func:`guildkit.store.kept`), compared with ``now`` each time."""
    query = (
        sa.select(sa.func.max(SANCTIONS.c.until))
        .join(MEMBERS, MEMBERS.c.id == SANCTIONS.c.member_id)
        .where(MEMBERS.c.user_id == user, SANCTIONS.c.kind == "mute", SANCTIONS.c.lifted_at.is_(None))
    )
    until: datetime | None = kept(session, "muted_until", user, lambda: session.scalar(query))
    return until if until is not None and until > now else None


def still_held(tx: Transaction, member_id: int) -> bool:
    """Whether a ban or a running suspension keeps the member from being active."""
    count = tx.conn.scalar(
        sa.select(sa.func.count()).where(
            SANCTIONS.c.member_id == member_id,
            SANCTIONS.c.lifted_at.is_(None),
            sa.or_(
                SANCTIONS.c.kind == "ban",
                sa.and_(
                    SANCTIONS.c.kind == "suspend",
                    sa.or_(SANCTIONS.c.until.is_(None), SANCTIONS.c.until > tx.now),
                ),
            ),
        )
    )
    return bool(count)


def reactivate(tx: Transaction, user_id: str, key: str, reason: str, by: str | None) -> None:
    """Set the member's status back to ``active`` (a ``guildkit.status`` activity)."""
    payload = {"status": "active", "reason": reason}
    tx.record(STATUS, key=key, actor=by, target=user_id, payload=payload)


def sweep(tx: Transaction) -> list[str]:
    ended = tx.conn.execute(
        sa.select(SANCTIONS.c.id, SANCTIONS.c.member_id, MEMBERS.c.user_id, MEMBERS.c.status)
        .join(MEMBERS, MEMBERS.c.id == SANCTIONS.c.member_id)
        .where(SANCTIONS.c.kind == "suspend", SANCTIONS.c.lifted_at.is_(None), SANCTIONS.c.until <= tx.now)
    ).all()
    lifted: list[str] = []
    for row in ended:
        tx.conn.execute(SANCTIONS.update().where(SANCTIONS.c.id == row.id).values(lifted_at=tx.now))
        if row.status == "suspended" and not still_held(tx, row.member_id) and row.user_id not in lifted:
            reason = N_("the suspension ended")  # read in the member's language (notes.now_status)
            reactivate(tx, row.user_id, f"guildkit.moderation:lift:{row.id}", reason, None)
            audit(tx, None, "lift", row.member_id, None, reason, {"sanction_id": row.id})
            lifted.append(row.user_id)
    return lifted
