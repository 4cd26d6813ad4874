"""What every moderation module shares: the tables, the limits, the audit row and the moderator check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import audit as audit_log
from guildkit.activity import user_ref
from guildkit.errors import NotAllowed
from guildkit.i18n import gettext as _
from guildkit.models import Activity, BadgeAward, Member, RoleGrant, table_of
from guildkit.moderation.models import (
    Appeal,
    CaseNote,
    Mediation,
    MediationStatement,
    ModerationCase,
    Report,
    Sanction,
)

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

#: How much one report of each category adds to its case's severity (times the reporter's trust weight).
WEIGHTS = {"spam": 1, "harassment": 3, "off-topic": 1, "other": 1}
#: What resolving a case can do to the reported member.
ACTIONS = ("dismiss", "warn", "mute", "suspend", "ban", "revoke_badge", "retract")
#: Every action a resolved case may carry: :data:`ACTIONS`, and ``mediate`` (a mediation's agreed outcome).
CASE_ACTIONS = (*ACTIONS, "mediate")
#: Actions with a period (``hours``; a suspension without one lasts until lifted by hand).
TIMED = ("mute", "suspend")
#: Case actions a member may appeal besides sanctions (which are appealed by sanction).
APPEALABLE_CASE_ACTIONS = ("revoke_badge", "retract")
#: The permission that makes a member a moderator.
MODERATE = "members.manage"
SUBJECT_MAX = 191
TEXT_MAX = 2000
MAX_HOURS = 24 * 365 * 10

CASES = table_of(ModerationCase)
REPORTS = table_of(Report)
NOTES = table_of(CaseNote)
SANCTIONS = table_of(Sanction)
MEMBERS = table_of(Member)
ACTIVITIES = table_of(Activity)
MEDIATIONS = table_of(Mediation)
STATEMENTS = table_of(MediationStatement)
APPEALS = table_of(Appeal)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)


def require_moderator(gk: GuildKit, by: str | int | None) -> str | None:
    """``by`` as a user id, or :class:`NotAllowed` unless they moderate; ``None`` is host code."""
    if by is None:
        return None
    who = user_ref(by, "by")
    if not gk.has_permission(who, MODERATE):
        raise NotAllowed(_("only moderators may do this, and %(user)s is not one", user=repr(who)), user_id=who)
    return who


def is_moderator(gk: GuildKit, user_id: str | int | None) -> bool:
    return user_id is not None and gk.has_permission(user_id, MODERATE)


def moderators(gk: GuildKit, *, limit: int = 200) -> list[str]:
    """Active members holding a role that carries ``members.manage`` (or ``admin``), by user id."""
    roles = [slug for slug, role in gk.registry.roles.items() if {MODERATE, "admin"} & set(role.permissions)]
    if not roles:
        return []
    return list(
        gk.session.scalars(
            sa.select(MEMBERS.c.user_id)
            .join(GRANTS, GRANTS.c.member_id == MEMBERS.c.id)
            .where(GRANTS.c.role_slug.in_(roles), GRANTS.c.revoked_at.is_(None), MEMBERS.c.status == "active")
            .distinct()
            .order_by(MEMBERS.c.user_id)
            .limit(limit)
        )
    )


def audit(
    tx: Transaction,
    actor: int | None,
    action: str,
    target: int | None,
    case_id: int | None,
    reason: str,
    details: dict[str, Any],
) -> None:
    """One row of guildkit's audit log (area ``moderation``): ``actor`` and ``target`` are member ids,
    written by host user id; the row is filed under its case."""
    target_user = audit_log.user_of(target)
    audit_log.write(
        tx.conn,
        tx.now,
        area="moderation",
        actor=audit_log.user_of(actor),
        action=action,
        target=None if target_user is None else sa.literal("member:") + target_user,
        member_id=target,
        subject=None if case_id is None else f"case:{case_id}",
        reason=reason,
        details=details,
    )


def member_ids(conn: sa.Connection | Any, *user_ids: str) -> dict[str, int]:
    """Member ids of existing members (no one is made a member by reading)."""
    rows = conn.execute(sa.select(MEMBERS.c.user_id, MEMBERS.c.id).where(MEMBERS.c.user_id.in_(user_ids)))
    return {row.user_id: row.id for row in rows}
