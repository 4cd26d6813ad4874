"""The audit log: one log for every staff action, whichever part of guildkit took it.

Each row is written in the action's own transaction (:func:`write`), so it commits with the
action or not at all, and says which ``area`` acted (``admin``, ``moderation``, ``tokens``).
:func:`read` reads it back newest first, filtered; the admin console shows all of it, moderation
its own area, per case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.errors import NotAllowed, ValidationError
from guildkit.models import Member, table_of
from guildkit.models.audit import AuditRecord

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

AUDIT = table_of(AuditRecord)
MEMBERS = table_of(Member)
MAX_LIMIT = 500


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor: str | None
    action: str
    target: str | None
    reason: str
    details: dict[str, Any]
    at: datetime
    area: str = "admin"
    #: The host user id of the member the action concerns, if any.
    member: str | None = None
    subject: str | None = None


def write(
    conn: sa.Connection,
    at: datetime,
    *,
    area: str,
    actor: str | sa.ColumnElement[Any] | None,
    action: str,
    target: str | sa.ColumnElement[Any] | None = None,
    member_id: int | None = None,
    subject: str | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """One audit row, on the action's connection: it commits with the action or not at all.

    ``actor`` and ``target`` may be SQL expressions (:func:`user_of`), evaluated by the insert."""
    conn.execute(
        sa.insert(AUDIT).values(
            area=area,
            actor=actor,
            action=action,
            target=target,
            member_id=member_id,
            subject=subject,
            reason=reason,
            details=details or {},
            at=at,
        )
    )


def admin_actor(gk: GuildKit, by: str | int | None, via: str | None) -> str | None:
    """Who to write as the actor of an admin action: ``by`` (an admin: else :class:`NotAllowed`),
    or, for host code and API tokens (``by=None``), what ``via`` names (``cli``, ``token:gk_ab…``)."""
    if by is None:
        return via
    if not gk.has_permission(by, "admin"):
        raise NotAllowed(f"only admins may do this, and {str(by)!r} is not one", user_id=str(by))
    return str(by)


def user_of(member_id: int | None) -> sa.ScalarSelect[Any] | None:
    """The host user id of a member, as a subquery: actors are written by user id."""
    if member_id is None:
        return None
    return sa.select(MEMBERS.c.user_id).where(MEMBERS.c.id == member_id).scalar_subquery()


class AuditFilters(TypedDict, total=False):
    """What to read: an ``area``, ``actor``, ``action`` or ``subject``; ``since`` (inclusive) and
    ``until`` (exclusive) aware datetimes; ``before``, an id, to page; ``limit`` (100, at most 500)."""

    area: str | None
    actor: str | None
    action: str | None
    subject: str | None
    since: datetime | None
    until: datetime | None
    before: int | None
    limit: int


def read(session: Session, **filters: Unpack[AuditFilters]) -> list[AuditEntry]:
    """Entries newest first, filtered (:class:`AuditFilters`)."""
    area, actor, action = filters.get("area"), filters.get("actor"), filters.get("action")
    subject, since, until = filters.get("subject"), filters.get("since"), filters.get("until")
    before, limit = filters.get("before"), filters.get("limit", 100)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be an integer from 1 to {MAX_LIMIT}", field="limit")
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and (not isinstance(moment, datetime) or moment.tzinfo is None):
            raise ValidationError(f"{name} must be an aware datetime", field=name)
    if since is not None and until is not None and until <= since:
        raise ValidationError("until must be after since", field="until")
    query = (
        sa.select(AUDIT, MEMBERS.c.user_id.label("member"))
        .outerjoin(MEMBERS, MEMBERS.c.id == AUDIT.c.member_id)
        .order_by(AUDIT.c.id.desc())
        .limit(limit)
    )
    for column, value in ((AUDIT.c.area, area), (AUDIT.c.actor, actor), (AUDIT.c.action, action)):
        if value:
            query = query.where(column == value)
    if subject is not None:
        query = query.where(AUDIT.c.subject == subject)
    if since is not None:
        query = query.where(AUDIT.c.at >= since)
    if until is not None:
        query = query.where(AUDIT.c.at < until)
    if before is not None:
        query = query.where(AUDIT.c.id < before)
    return [
        AuditEntry(r.id, r.actor, r.action, r.target, r.reason, r.details or {}, r.at, r.area, r.member, r.subject)
        for r in session.execute(query)
    ]
