"""Read-side queries used by the extension, the CLI and (later) the blueprint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .errors import UnknownMember
from .models import BadgeAward, Balance, LedgerEntry, Member, RoleGrant
from .registry import Registry
from .rules.builtin import BadgeRule
from .unit import Unit


def get_member(session: Session, user_id: str) -> Member:
    member = session.scalar(sa.select(Member).where(Member.user_id == user_id))
    if member is None:
        raise UnknownMember(user_id)
    return member


def balances(session: Session, member_id: int) -> dict[str, int]:
    rows = session.execute(sa.select(Balance.point_type, Balance.balance).where(Balance.member_id == member_id))
    return dict(rows.all())


def ledger(
    session: Session, member_id: int, point_type: str | None, limit: int, before: int | None
) -> list[LedgerEntry]:
    query = sa.select(LedgerEntry).where(LedgerEntry.member_id == member_id)
    if point_type is not None:
        query = query.where(LedgerEntry.point_type == point_type)
    if before is not None:
        query = query.where(LedgerEntry.id < before)
    return list(session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit)))


def badge_awards(session: Session, member_id: int) -> list[BadgeAward]:
    return list(
        session.scalars(
            sa.select(BadgeAward)
            .where(BadgeAward.member_id == member_id, BadgeAward.revoked_at.is_(None))
            .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())
        )
    )


def role_slugs(session: Session, member_id: int) -> list[str]:
    return sorted(
        session.scalars(
            sa.select(RoleGrant.role_slug).where(RoleGrant.member_id == member_id, RoleGrant.revoked_at.is_(None))
        )
    )


@dataclass(frozen=True)
class BadgeProgress:
    """How far a member is toward the next level of a threshold badge."""

    badge: str
    name: str
    level: int
    levels: int
    value: int
    next_threshold: int | None
    #: 0-100 toward the next level (100 when every level is held).
    percent: int
    metric: str


def progress(session: Session, registry: Registry, member_id: int, now: datetime) -> list[BadgeProgress]:
    reader = Unit(session.connection(), now)
    found: list[BadgeProgress] = []
    for badge_rule in registry.rules.values():
        # One progress bar per badge: the first threshold rule that awards it.
        if not isinstance(badge_rule, BadgeRule) or registry.badge_rule(badge_rule.badge) is not badge_rule:
            continue
        badge = registry.badges[badge_rule.badge]
        level = reader.badge_level(member_id, badge.slug)
        if badge.secret and level == 0:
            continue
        value = badge_rule.metric.read(reader, member_id)
        thresholds = badge_rule.thresholds
        following = thresholds[level] if level < len(thresholds) else None
        start = thresholds[level - 1] if level else 0
        percent = 100 if following is None else max(0, min(99, int(100 * (value - start) / max(1, following - start))))
        found.append(
            BadgeProgress(
                badge=badge.slug,
                name=badge.level_name(min(level + 1, len(badge.levels))),
                level=level,
                levels=len(badge.levels),
                value=value,
                next_threshold=following,
                percent=percent,
                metric=badge_rule.metric.describe(),
            )
        )
    return sorted(found, key=lambda p: (p.next_threshold is None, -p.percent, p.badge))
