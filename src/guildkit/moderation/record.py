"""A reported member's record, as a moderator reads it next to a case (``gk.moderation.member_record``).

What helps decide a case: how long they have been a member, their trust level (asked of the
trust feature's service, when it is there), the actions moderators took about them before,
the other cases about them, and what a moderator may act on: the badges they hold (to take one
back) and their recent activities (to undo one). All of it is read in a handful of queries,
names and subjects left as ids and keys for the page to put in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.moderation import appeals
from guildkit.moderation.common import ACTIVITIES, AWARDS, CASES, MEMBERS
from guildkit.moderation.views import ActionView

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: How many other cases, badges and activities a record lists (counts cover them all).
SHOWN = 5
ACTIVITIES_SHOWN = 25
#: Activity types of guildkit's own bookkeeping (awards, status changes, expiry): not something
#: a moderator undoes from a case.
BOOKKEEPING = "guildkit.%"


@dataclass(frozen=True)
class OtherCase:
    """Another case about the member, newest first."""

    id: int
    subject: str
    status: str
    action: str | None
    opened_at: datetime
    report_count: int


@dataclass(frozen=True)
class HeldBadge:
    """A badge the member holds now, with how many levels of it."""

    slug: str
    name: str
    levels: int


@dataclass(frozen=True)
class RecentActivity:
    """One of the member's activities (done by them or to them) that is not retracted."""

    key: str
    type: str
    subject: str | None
    occurred_at: datetime
    actor: str | None
    target: str | None


@dataclass(frozen=True)
class MemberRecord:
    user_id: str
    status: str
    joined_at: datetime
    #: ``None`` when the trust feature is switched off.
    trust_level: int | None
    trust_name: str | None
    #: Sanctions and case actions about them, newest first (:meth:`Moderation.actions`).
    actions: list[ActionView]
    #: Up to :data:`SHOWN` other cases about them, newest first; the counts cover every one.
    other_cases: list[OtherCase]
    other_case_count: int
    other_report_count: int
    badges: list[HeldBadge] = field(default_factory=list)
    #: Up to :data:`ACTIVITIES_SHOWN`, those on ``subject`` (the case's) first, then newest first.
    activities: list[RecentActivity] = field(default_factory=list)


def record(gk: GuildKit, user_id: str, *, case_id: int | None, subject: str | None) -> MemberRecord:
    """The member's record, leaving out case ``case_id`` (the one being read)."""
    session = gk.session
    member = gk.member(user_id)
    level, level_name = _trust(gk, user_id)
    others = CASES.c.member_id == member.id
    if case_id is not None:
        others = sa.and_(others, CASES.c.id != case_id)
    counted = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(CASES.c.report_count), 0)).where(others)
    ).one()
    other_cases = [
        OtherCase(r.id, r.subject, r.status, r.action, r.opened_at, r.report_count)
        for r in session.execute(
            sa.select(CASES).where(others).order_by(CASES.c.opened_at.desc(), CASES.c.id.desc()).limit(SHOWN)
        )
    ]
    return MemberRecord(
        user_id=member.user_id,
        status=member.status,
        joined_at=member.joined_at,
        trust_level=level,
        trust_name=level_name,
        actions=appeals.actions(session, member.id, member.user_id, gk.clock()),
        other_cases=other_cases,
        other_case_count=int(counted[0]),
        other_report_count=int(counted[1]),
        badges=_badges(gk, member.id),
        activities=_activities(session, member.id, subject),
    )


def _trust(gk: GuildKit, user_id: str) -> tuple[int | None, str | None]:
    """The member's trust level and its name, from the trust feature's service if it is on."""
    if "trust" not in gk.services():
        return None, None
    trust: Any = gk.trust
    level = int(trust.level(user_id))
    return level, str(trust.name(level))


def _badges(gk: GuildKit, member_id: int) -> list[HeldBadge]:
    rows = gk.session.execute(
        sa.select(AWARDS.c.badge_slug, sa.func.count(sa.distinct(AWARDS.c.level)))
        .where(AWARDS.c.member_id == member_id, AWARDS.c.revoked_at.is_(None))
        .group_by(AWARDS.c.badge_slug)
    )
    badges = gk.registry.badges
    held = [HeldBadge(slug, badges[slug].name, int(levels)) for slug, levels in rows if slug in badges]
    return sorted(held, key=lambda b: b.name.casefold())


def _activities(conn: Any, member_id: int, subject: str | None) -> list[RecentActivity]:
    """Their recent activities, as actor or target (one indexed query each), those on ``subject`` first."""
    actor, target = MEMBERS.alias("actor"), MEMBERS.alias("target")
    base = (
        sa.select(  # what the list shows, not the payloads (decoding 75 of them cost more than the reads)
            *(ACTIVITIES.c[name] for name in ("id", "key", "type", "subject", "occurred_at", "actor_id")),
            actor.c.user_id.label("actor_user"),
            target.c.user_id.label("target_user"),
        )
        .outerjoin(actor, actor.c.id == ACTIVITIES.c.actor_id)
        .outerjoin(target, target.c.id == ACTIVITIES.c.target_id)
        .where(ACTIVITIES.c.retracted_at.is_(None), ACTIVITIES.c.type.not_like(BOOKKEEPING))
        .order_by(ACTIVITIES.c.occurred_at.desc(), ACTIVITIES.c.id.desc())
        .limit(ACTIVITIES_SHOWN)
    )
    theirs = (ACTIVITIES.c.actor_id == member_id) | (ACTIVITIES.c.target_id == member_id)
    on_subject = list(conn.execute(base.where(ACTIVITIES.c.subject == subject, theirs))) if subject else []
    on_subject.sort(key=lambda row: row.actor_id != member_id)  # what they did to it before what was done to them
    recent = [row for where in theirs.clauses for row in conn.execute(base.where(where))]
    recent.sort(key=lambda row: (row.occurred_at, row.id), reverse=True)
    found: dict[str, RecentActivity] = {}
    for row in [*on_subject, *recent]:
        if row.key not in found and len(found) < ACTIVITIES_SHOWN:
            found[row.key] = RecentActivity(
                row.key, row.type, row.subject, row.occurred_at, row.actor_user, row.target_user
            )
    return list(found.values())
