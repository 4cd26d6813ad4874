"""The admin audit log: one row per admin action, written in the action's own transaction, and
read back newest first, filtered by actor, action and a date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.admin.models import AdminAudit
from guildkit.errors import ValidationError
from guildkit.models import table_of

if TYPE_CHECKING:
    from guildkit.transaction import Transaction

AUDIT = table_of(AdminAudit)
#: Every action the console writes (the audit page offers them as a filter).
ACTIONS = (
    "award",
    "revoke",
    "badge.create",
    "badge.update",
    "badge.archive",
    "badge.unarchive",
    "badge.image",
    "role.create",
    "role.update",
    "role.grant",
    "role.revoke",
    "token.create",
    "token.revoke",
)
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


def write(
    tx: Transaction, actor: str | None, action: str, target: str | None, reason: str, details: dict[str, Any]
) -> None:
    """One audit row, in ``tx``: it commits with the action or not at all."""
    tx.conn.execute(
        sa.insert(AUDIT).values(actor=actor, action=action, target=target, reason=reason, details=details, at=tx.now)
    )


def read(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Entries newest first; ``since`` inclusive, ``until`` exclusive; ``before``: an id, to page."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be an integer from 1 to {MAX_LIMIT}", field="limit")
    for name, value in (("since", since), ("until", until)):
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise ValidationError(f"{name} must be an aware datetime", field=name)
    if since is not None and until is not None and until <= since:
        raise ValidationError("until must be after since", field="until")
    query = sa.select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit)
    if actor:
        query = query.where(AUDIT.c.actor == actor)
    if action:
        query = query.where(AUDIT.c.action == action)
    if since is not None:
        query = query.where(AUDIT.c.at >= since)
    if until is not None:
        query = query.where(AUDIT.c.at < until)
    if before is not None:
        query = query.where(AUDIT.c.id < before)
    return [
        AuditEntry(r.id, r.actor, r.action, r.target, r.reason, r.details or {}, r.at) for r in session.execute(query)
    ]
