"""The KPIs answered from the rollups (:mod:`.rollup`), with the same results as the queries
over the raw tables in :mod:`.membership`, :mod:`.cohorts`, :mod:`.engagement` and
:mod:`.recognition` (tests/test_analytics_rollup.py compares them).

Buckets are whole local days, so a bucket is a range of day ordinals ``a … b``. "Distinct members
active in a … b" is a count without ``DISTINCT``: a member's rows there are counted only where
their previous active day (``prev_day``) is before ``a``, which is their first row in the range.
What depends on a member's status or joining (members, cohorts, churn lists, levels) joins
``guildkit_members`` as it reads, so status changes and erasure need no refresh. Growth and the
programmes read their own tables as before: they were never slow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics import cohorts, engagement, membership, recognition
from guildkit.analytics.models import AwardDay, FirstPost, MemberDay, PointDay, TypeDay
from guildkit.analytics.periods import Period, Range
from guildkit.models import Member, table_of

MEMBERS = table_of(Member)
MEMBER_DAYS = table_of(MemberDay)
TYPE_DAYS = table_of(TypeDay)
POINT_DAYS = table_of(PointDay)
AWARD_DAYS = table_of(AwardDay)
FIRST_POSTS = table_of(FirstPost)


def _days(periods: Sequence[Period]) -> Any:
    """The periods as rows ``(i, a, b)``: index, first and last day ordinal (a ``WITH … AS
    (VALUES …)``: SQLite has no column names on a ``VALUES`` in ``FROM``)."""
    return (
        sa.values(sa.column("i", sa.Integer), sa.column("a", sa.Integer), sa.column("b", sa.Integer), name="buckets")
        .data([(i, p.start.toordinal(), p.end.toordinal()) for i, p in enumerate(periods)])
        .cte("buckets")
    )


def _first_in(first_day: Any, previous: Any) -> sa.ColumnElement[bool]:
    """The member's first row from ``first_day`` on (no earlier active day at or after it)."""
    return sa.or_(previous.is_(None), previous < first_day)


def _counts(session: Session, periods: Sequence[Period]) -> dict[int, tuple[int, int]]:
    """Per period index: (distinct active members, distinct contributing members)."""
    buckets = _days(periods)
    md = MEMBER_DAYS
    active = sa.func.sum(sa.case((_first_in(buckets.c.a, md.c.prev_day), 1), else_=0))
    contributing = sa.func.sum(
        sa.case((sa.and_(md.c.content > 0, _first_in(buckets.c.a, md.c.prev_content_day)), 1), else_=0)
    )
    rows = session.execute(
        sa.select(buckets.c.i, active, contributing)
        .select_from(buckets.join(md, md.c.day.between(buckets.c.a, buckets.c.b)))
        .group_by(buckets.c.i)
    )
    return {int(i): (int(a or 0), int(c or 0)) for i, a, c in rows}


def activity(session: Session, rng: Range) -> membership.ActivityReport:
    members = membership.growth(session, rng)
    counts = _counts(session, rng.periods)
    buckets = _days(rng.periods)
    by_type: dict[int, dict[str, int]] = {i: {} for i in range(len(rng.periods))}
    for i, type_, n in session.execute(
        sa.select(buckets.c.i, TYPE_DAYS.c.type, sa.func.sum(TYPE_DAYS.c.activities))
        .select_from(buckets.join(TYPE_DAYS, TYPE_DAYS.c.day.between(buckets.c.a, buckets.c.b)))
        .group_by(buckets.c.i, TYPE_DAYS.c.type)
    ):
        by_type[int(i)][type_] = int(n)
    rows = []
    for i, period in enumerate(rng.periods):
        active, contributing = counts.get(i, (0, 0))
        types = dict(sorted(by_type[i].items()))
        rows.append(
            membership.ActivityRow(
                period, active, members.rows[i].total_members, contributing, sum(types.values()), types
            )
        )
    return membership.ActivityReport(rng, rows)


def _distinct_active(session: Session, first: int, last: int) -> int:
    md = MEMBER_DAYS
    return int(
        session.scalar(sa.select(sa.func.count()).where(md.c.day.between(first, last), _first_in(first, md.c.prev_day)))
        or 0
    )


def actives(session: Session, rng: Range) -> membership.Actives:
    end = rng.end.toordinal()
    md = MEMBER_DAYS
    found = {
        int(day): int(n)
        for day, n in session.execute(
            sa.select(md.c.day, sa.func.count()).where(md.c.day.between(end - 29, end)).group_by(md.c.day)
        )
    }
    daily = [(date.fromordinal(d), int(found.get(d, 0))) for d in range(end - 29, end + 1)]
    wau = _distinct_active(session, end - 6, end)
    mau = _distinct_active(session, end - 29, end)
    mean_dau = round(sum(n for _, n in daily) / len(daily), 2)
    return membership.Actives(rng.end, daily[-1][1], wau, mau, mean_dau, daily)


def retention(session: Session, rng: Range) -> cohorts.Retention:
    weeks = cohorts.weeks_of(rng)
    bounds = (
        sa.values(
            sa.column("i", sa.Integer),
            sa.column("s", MEMBERS.c.joined_at.type),
            sa.column("e", MEMBERS.c.joined_at.type),
            name="cohorts",
        )
        .data([(i, w.start_at, w.end_at) for i, w in enumerate(weeks)])
        .cte("cohorts")
    )
    joined = sa.and_(
        MEMBERS.c.status != "deleted",
        MEMBERS.c.joined_at >= bounds.c.s,
        MEMBERS.c.joined_at < bounds.c.e,
    )
    sizes = [0] * len(weeks)
    for i, n in session.execute(
        sa.select(bounds.c.i, sa.func.count()).select_from(bounds.join(MEMBERS, joined)).group_by(bounds.c.i)
    ):
        sizes[int(i)] = int(n)
    # Week j of the range: days since the Monday of its first week, over 7. A member counts in
    # week j on their first active day of it (of the range, for the first, clipped week).
    monday = weeks[0].start - timedelta(days=weeks[0].start.weekday())
    first, last, origin = rng.start.toordinal(), rng.end.toordinal(), monday.toordinal()
    md = MEMBER_DAYS
    week = (md.c.day - origin) // 7
    week_start = origin + week * 7
    first_of_week = sa.or_(md.c.prev_day.is_(None), md.c.prev_day < week_start, md.c.prev_day < first)
    active = [[0] * (len(weeks) - i) for i in range(len(weeks))]
    found = session.execute(
        sa.select(bounds.c.i, week.label("j"), sa.func.count())
        .select_from(bounds.join(MEMBERS, joined).join(md, md.c.member_id == MEMBERS.c.id))
        .where(md.c.day.between(first, last), first_of_week, week >= bounds.c.i)
        .group_by(bounds.c.i, week)
    )
    for i, j, n in found:
        active[int(i)][int(j) - int(i)] = int(n)
    return cohorts.Retention(rng, [cohorts.Cohort(w, sizes[i], active[i]) for i, w in enumerate(weeks)])


def churn(session: Session, rng: Range, idle_days: int) -> cohorts.Churn:
    end = rng.end.toordinal()
    current, idle = end - 29, end - idle_days + 1
    md = MEMBER_DAYS
    per_member = (
        sa.select(
            md.c.member_id,
            sa.func.min(md.c.day).label("first_day"),
            sa.func.max(md.c.day).label("last_day"),
            sa.func.max(md.c.last_at).label("last_at"),
            sa.func.sum(md.c.activities).label("n"),
        )
        .where(md.c.day.between(end - 59, end))
        .group_by(md.c.member_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(per_member, MEMBERS.c.user_id, MEMBERS.c.display_name).join(
            MEMBERS, sa.and_(MEMBERS.c.id == per_member.c.member_id, MEMBERS.c.status == "active")
        )
    ).all()
    previously = sum(1 for r in rows if r.first_day < current)
    churned = sorted((r for r in rows if r.last_day < current), key=lambda r: (r.last_at, r.member_id))
    at_risk = sorted((r for r in rows if current <= r.last_day < idle), key=lambda r: (r.last_at, r.member_id))

    def listed(found: list[sa.Row[Any]]) -> list[cohorts.Idle]:
        return [cohorts.Idle(r.user_id, r.display_name, r.last_at, int(r.n)) for r in found[: cohorts.LIST_LIMIT]]

    return cohorts.Churn(rng.end, idle_days, previously, len(churned), len(at_risk), listed(churned), listed(at_risk))


def first_response(session: Session, rng: Range) -> cohorts.FirstResponse:
    rows = session.execute(
        sa.select(MEMBERS.c.joined_at, FIRST_POSTS.c.first_at, FIRST_POSTS.c.reply_at)
        .select_from(MEMBERS.outerjoin(FIRST_POSTS, FIRST_POSTS.c.member_id == MEMBERS.c.id))
        .where(MEMBERS.c.status != "deleted", MEMBERS.c.joined_at >= rng.start_at, MEMBERS.c.joined_at < rng.end_at)
    ).all()
    return cohorts.summarize_responses(rng, [tuple(r) for r in rows])


def levels(session: Session, rng: Range, weights: Mapping[str, float]) -> engagement.Levels:
    md = MEMBER_DAYS
    per_member = (
        sa.select(md.c.member_id, sa.func.sum(md.c.score).label("score"))
        .where(md.c.day.between(rng.start.toordinal(), rng.end.toordinal()))
        .group_by(md.c.member_id)
        .subquery()
    )
    return engagement.rank(session, rng, weights, per_member)


def recognition_kpi(session: Session, rng: Range) -> recognition.Recognition:
    buckets = _days(rng.periods)
    points: list[dict[str, tuple[int, int]]] = [{} for _ in rng.periods]
    for i, point_type, issued, taken in session.execute(
        sa.select(
            buckets.c.i, POINT_DAYS.c.point_type, sa.func.sum(POINT_DAYS.c.issued), sa.func.sum(POINT_DAYS.c.reversed)
        )
        .select_from(buckets.join(POINT_DAYS, POINT_DAYS.c.day.between(buckets.c.a, buckets.c.b)))
        .group_by(buckets.c.i, POINT_DAYS.c.point_type)
    ):
        points[int(i)][point_type] = (int(issued), int(taken))
    awards = [0] * len(rng.periods)
    for i, n in session.execute(
        sa.select(buckets.c.i, sa.func.sum(AWARD_DAYS.c.awards))
        .select_from(buckets.join(AWARD_DAYS, AWARD_DAYS.c.day.between(buckets.c.a, buckets.c.b)))
        .group_by(buckets.c.i)
    ):
        awards[int(i)] = int(n)
    return recognition.assemble(session, rng, points, awards)
