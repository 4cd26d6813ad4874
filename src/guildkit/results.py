"""Rebuilding what an activity did (or what its retraction undid) from the stored rows.

A replayed key returns its first result; the rows are the record of it, so nothing extra is
stored to answer a replay.
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from guildkit.activity import ActivityResult, BadgeChange, PointsChange, RoleChange
from guildkit.models import Activity, BadgeAward, LedgerEntry, Member, RoleGrant, table_of

MEMBERS = table_of(Member)
LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)


def load_result(
    conn: sa.Connection, activity_id: int, key: str, type_: str, *, reversals: bool = False
) -> ActivityResult:
    """What activity ``activity_id`` earned, or with ``reversals`` what retracting it undid."""
    user = MEMBERS.c.user_id
    ledger_filter = LEDGER.c.reverses_id.is_not(None) if reversals else LEDGER.c.reverses_id.is_(None)
    points = tuple(
        PointsChange(u, t, a, b, r, why)
        for u, t, a, b, r, why in conn.execute(
            sa.select(
                user, LEDGER.c.point_type, LEDGER.c.amount, LEDGER.c.balance_after, LEDGER.c.rule, LEDGER.c.reason
            )
            .join(MEMBERS, MEMBERS.c.id == LEDGER.c.member_id)
            .where(LEDGER.c.activity_id == activity_id, ledger_filter)
            .order_by(LEDGER.c.id)
        )
    )
    by = "revoked_by_activity_id" if reversals else "activity_id"
    badges = tuple(
        BadgeChange(u, b, lv, r, granted=not reversals)
        for u, b, lv, r in conn.execute(
            sa.select(user, AWARDS.c.badge_slug, AWARDS.c.level, AWARDS.c.rule)
            .join(MEMBERS, MEMBERS.c.id == AWARDS.c.member_id)
            .where(AWARDS.c[by] == activity_id)
            .order_by(AWARDS.c.id)
        )
    )
    roles = tuple(
        RoleChange(u, r, rule, granted=not reversals)
        for u, r, rule in conn.execute(
            sa.select(user, GRANTS.c.role_slug, GRANTS.c.rule)
            .join(MEMBERS, MEMBERS.c.id == GRANTS.c.member_id)
            .where(GRANTS.c[by] == activity_id)
            .order_by(GRANTS.c.id)
        )
    )
    return ActivityResult(key=key, activity_id=activity_id, type=type_, points=points, badges=badges, roles=roles)


def stored_result(conn: sa.Connection, key: str) -> ActivityResult | None:
    """What the recorded activity ``key`` earned (``retracted`` set if it was), or ``None``."""
    activities = table_of(Activity)
    row = conn.execute(
        sa.select(activities.c.id, activities.c.type, activities.c.retracted_at).where(activities.c.key == key)
    ).first()
    if row is None:
        return None
    return replace(load_result(conn, row.id, key, row.type), retracted=row.retracted_at is not None)
