"""Who hears of a nomination, and what they read (``tx.tell`` with a :class:`~guildkit.notes.Said`,
so each reads it in their own language).

=========================  =====================  ===========================================
when                       who                    kind
=========================  =====================  ===========================================
a nomination is made       every approver         ``nominations.awaiting``
it is approved             the nominee            ``nominations.approved`` (besides the core's
                                                  ``badge_awarded``)
it is approved, rejected   the nominator          ``nominations.decided``
or expires
=========================  =====================  ===========================================

The nominee hears nothing while the nomination is pending, nor when it is rejected, withdrawn
or expires: recognition is news, a refusal of something they never asked for is not. Each
notification carries ``nomination_id`` and the subject ``nomination:<id>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.i18n import N_
from guildkit.models import Member, RoleGrant, table_of
from guildkit.notes import Said

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry
    from guildkit.transaction import Transaction

MEMBERS = table_of(Member)
GRANTS = table_of(RoleGrant)

AWAITING = "nominations.awaiting"
APPROVED = "nominations.approved"
DECIDED = "nominations.decided"

MADE = N_("%(nominator)s nominated %(nominee)s for %(badge)s. Your decision is awaited.")
YOURS = N_("%(nominator)s nominated you for %(badge)s, and the nomination was approved: the badge is yours.")
APPROVED_FOR_NOMINATOR = N_("Your nomination of %(nominee)s for %(badge)s was approved.")
REJECTED_FOR_NOMINATOR = N_("Your nomination of %(nominee)s for %(badge)s was not approved: %(reason)s")
EXPIRED_FOR_NOMINATOR = N_(
    "Your nomination of %(nominee)s for %(badge)s expired before it had the approvals it needed."
)


def badge_written(registry: Registry, slug: str, level: int) -> str:
    """The badge level's name as written (a catalogue translates it for each reader)."""
    definition = registry.badges.get(slug)
    if definition is None or not 0 < level <= len(definition.levels):
        return slug
    return definition.level_name(level)


def display_name(gk: GuildKit, conn: sa.Connection, member_id: int) -> str:
    row = conn.execute(sa.select(MEMBERS.c.user_id, MEMBERS.c.display_name).where(MEMBERS.c.id == member_id)).one()
    return str(row.display_name or gk.user_info(row.user_id).name)


def approvers(conn: sa.Connection, role: str, *, besides: Iterable[int]) -> list[int]:
    """The active members holding ``role``, but for ``besides`` (the nominee, the nominator)."""
    return list(
        conn.execute(
            sa.select(GRANTS.c.member_id)
            .join(MEMBERS, MEMBERS.c.id == GRANTS.c.member_id)
            .where(
                GRANTS.c.role_slug == role,
                GRANTS.c.revoked_at.is_(None),
                MEMBERS.c.status == "active",
                GRANTS.c.member_id.not_in(list(besides)),
            )
            .order_by(GRANTS.c.member_id)
        ).scalars()
    )


def holds_role(conn: sa.Connection, member_id: int, role: str) -> bool:
    return (
        conn.scalar(
            sa.select(GRANTS.c.id).where(
                GRANTS.c.member_id == member_id, GRANTS.c.role_slug == role, GRANTS.c.revoked_at.is_(None)
            )
        )
        is not None
    )


def tell(tx: Transaction, member_id: int, kind: str, said: Said, nomination_id: int, **data: object) -> None:
    tx.tell(member_id, kind, said, nomination_id=nomination_id, subject=f"nomination:{nomination_id}", **data)


def said(message: str, badge: str, **names: str) -> Said:
    """``message`` with the badge's name (translated for each reader) and people's names as they are."""
    return Said(message, {"badge": badge, **names}, ("badge",))
