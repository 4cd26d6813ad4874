"""Leaderboards by point type: all-time (from balances) or this week / this month (from the ledger).

Weeks start on Monday and months on the 1st, at midnight in the community's time zone. A
member's rank is 1 + the number of members with more points (ties share a rank), so "my rank"
agrees with the list.

Only active members who have not opted out (``gk.privacy.set_leaderboard_opt_out``) are on a
board or counted in anyone's rank; a member who opted out still sees their own standing
(:func:`standing_of`): where they would be among the members listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.models import Balance, LedgerEntry, Member

PERIODS = ("all", "week", "month")
#: Who is on a board and counted in ranks: active members who have not opted out.
LISTED = sa.and_(Member.status == "active", Member.leaderboard_opt_out == sa.false())


@dataclass(frozen=True)
class Standing:
    rank: int
    member_id: int
    user_id: str
    name: str | None
    points: int


def period_start(period: str, now: datetime, zone: tzinfo) -> datetime | None:
    if period == "all":
        return None
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=local.weekday()) if period == "week" else local.date().replace(day=1)
    return datetime.combine(day, time(), tzinfo=zone)


def _points(point_type: str, since: datetime | None) -> sa.Subquery:
    """member_id, points for every member with points in the period."""
    if since is None:
        return (
            sa.select(Balance.member_id.label("member_id"), Balance.balance.label("points"))
            .where(Balance.point_type == point_type)
            .subquery()
        )
    return (
        sa.select(LedgerEntry.member_id.label("member_id"), sa.func.sum(LedgerEntry.amount).label("points"))
        .where(LedgerEntry.point_type == point_type, LedgerEntry.created_at >= since)
        .group_by(LedgerEntry.member_id)
        .subquery()
    )


def standings(
    session: Session, point_type: str, since: datetime | None, limit: int, after: tuple[int, int] | None
) -> list[Standing]:
    """The board, best first; ``after`` is the (points, member_id) of the last row seen."""
    points = _points(point_type, since)
    query = (
        sa.select(points.c.member_id, Member.user_id, Member.display_name, points.c.points)
        .join(Member, Member.id == points.c.member_id)
        .where(LISTED)
    )
    if after is not None:
        query = query.where(
            sa.or_(points.c.points < after[0], sa.and_(points.c.points == after[0], points.c.member_id > after[1]))
        )
    rows = session.execute(query.order_by(points.c.points.desc(), points.c.member_id).limit(limit + 1)).all()
    ranks = _ranks(session, point_type, since, {r.points for r in rows})
    return [Standing(ranks[r.points], r.member_id, r.user_id, r.display_name, int(r.points)) for r in rows]


def _ranks(session: Session, point_type: str, since: datetime | None, values: set[int]) -> dict[int, int]:
    points = _points(point_type, since)
    ranks = {}
    for value in values:
        above = session.scalar(
            sa.select(sa.func.count())
            .select_from(points)
            .join(Member, Member.id == points.c.member_id)
            .where(LISTED, points.c.points > value)
        )
        ranks[value] = 1 + int(above or 0)
    return ranks


def standing_of(session: Session, point_type: str, since: datetime | None, member: Member) -> Standing:
    points = _points(point_type, since)
    mine = session.scalar(sa.select(points.c.points).where(points.c.member_id == member.id)) or 0
    rank = _ranks(session, point_type, since, {int(mine)})[int(mine)]
    return Standing(rank, member.id, member.user_id, member.display_name, int(mine))


def window(session: Session, point_type: str, since: datetime | None, me: Standing, limit: int) -> list[Standing]:
    """About ``limit`` standings around ``me``: up to half of them above, then ``me``'s place and
    below (``me`` is among them when listed). One more row than ``limit`` means there are more."""
    points = _points(point_type, since)
    wanted_above = (limit - 1) // 2
    above = session.execute(
        sa.select(points.c.member_id, points.c.points)
        .join(Member, Member.id == points.c.member_id)
        .where(
            LISTED,
            sa.or_(
                points.c.points > me.points, sa.and_(points.c.points == me.points, points.c.member_id < me.member_id)
            ),
        )
        .order_by(points.c.points.asc(), points.c.member_id.desc())
        .limit(wanted_above)
    ).all()
    start = (int(above[-1].points), int(above[-1].member_id) - 1) if above else (me.points, me.member_id - 1)
    return standings(session, point_type, since, limit, start)
