"""The KPIs answered from the rollups (:mod:`.rollup`), with the same results as the queries
over the raw tables in :mod:`.membership`, :mod:`.cohorts`, :mod:`.engagement` and
:mod:`.recognition` (tests/test_analytics_rollup.py compares them).

Buckets are whole local days, so a bucket is a range of day ordinals ``a … b``. "Distinct members
active in a … b" is a count without ``DISTINCT``: a member's rows there are counted only where
their previous active day (``prev_day``) is before ``a``, which is their first row in the range.
A bucket that is a whole calendar week or month reads the calendar rows of :mod:`.spans`
instead; only the clipped buckets at a range's edges read member-days.
What depends on a member's status or joining (members, cohorts, churn lists, levels) joins
``guildkit_members`` as it reads, so status changes and erasure need no refresh. Growth and the
programmes read their own tables as before: they were never slow.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics import cohorts, engagement, membership, recognition, spans
from guildkit.analytics.models import (
    AwardDay,
    CohortWeek,
    FirstPost,
    MemberDay,
    MemberMonth,
    MemberWeek,
    PointDay,
    TypeDay,
)
from guildkit.analytics.periods import Period, Range
from guildkit.models import Member, table_of

MEMBERS = table_of(Member)
MEMBER_DAYS = table_of(MemberDay)
MEMBER_WEEKS = table_of(MemberWeek)
COHORT_WEEKS = table_of(CohortWeek)
MEMBER_MONTHS = table_of(MemberMonth)
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


def _instants(periods: Sequence[Period], only: Sequence[int] | None = None) -> Any:
    """The periods (those at indexes ``only``) as rows ``(i, s, e)``: index and UTC bounds ``[s, e)``."""
    return (
        sa.values(
            sa.column("i", sa.Integer),
            sa.column("s", MEMBERS.c.joined_at.type),
            sa.column("e", MEMBERS.c.joined_at.type),
            name="periods",
        )
        .data([(i, periods[i].start_at, periods[i].end_at) for i in (range(len(periods)) if only is None else only)])
        .cte("periods")
    )


def _counts(session: Session, rng: Range) -> dict[int, tuple[int, int]]:
    """Per period index: (distinct active members, distinct contributing members). A whole
    calendar bucket is one stored row; a clipped one counts its member-days."""
    whole = {i: p.start.toordinal() for i, p in enumerate(rng.periods) if spans.is_whole(p, rng.bucket)}
    stored = spans.counts(session, rng.bucket, sorted(whole.values()))
    found = {i: stored.get(start, (0, 0)) for i, start in whole.items()}
    clipped = [(i, p) for i, p in enumerate(rng.periods) if i not in whole]
    if clipped:
        buckets = _days([p for _, p in clipped])
        md = MEMBER_DAYS
        rows = session.execute(
            sa.select(buckets.c.i, *spans.distinct_counts(buckets.c.a))
            .select_from(buckets.join(md, md.c.day.between(buckets.c.a, buckets.c.b)))
            .group_by(buckets.c.i)
        )
        for i, a, c in rows:
            found[clipped[int(i)][0]] = (int(a or 0), int(c or 0))
    return found


def _members(session: Session, rng: Range) -> list[int]:
    """Members (not deleted) who had joined by each period's end: what ``membership.growth``
    gives as totals, in one grouped statement instead of one per period (365 for a year by day)."""
    joined, listed = MEMBERS.c.joined_at, MEMBERS.c.status != "deleted"
    total = int(session.scalar(sa.select(sa.func.count()).where(listed, joined < rng.start_at)) or 0)
    bounds = _instants(rng.periods)
    in_period = sa.and_(listed, joined >= bounds.c.s, joined < bounds.c.e)
    new: dict[int, int] = {
        int(i): int(n)
        for i, n in session.execute(
            sa.select(bounds.c.i, sa.func.count()).select_from(bounds.join(MEMBERS, in_period)).group_by(bounds.c.i)
        )
    }
    totals = []
    for i in range(len(rng.periods)):
        total += new.get(i, 0)
        totals.append(total)
    return totals


def activity(session: Session, rng: Range) -> membership.ActivityReport:
    members = _members(session, rng)
    counts = _counts(session, rng)
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
        rows.append(membership.ActivityRow(period, active, members[i], contributing, sum(types.values()), types))
    return membership.ActivityReport(rng, rows)


def _distinct_active(session: Session, first: int, last: int) -> int:
    md = MEMBER_DAYS
    return int(
        session.scalar(
            sa.select(sa.func.count()).where(md.c.day.between(first, last), spans.first_in(first, md.c.prev_day))
        )
        or 0
    )


def actives(session: Session, rng: Range) -> membership.Actives:
    end = rng.end.toordinal()
    found = spans.counts(session, "day", range(end - 29, end + 1))
    daily = [(date.fromordinal(d), found.get(d, (0, 0))[0]) for d in range(end - 29, end + 1)]
    wau = _distinct_active(session, end - 6, end)
    mau = _distinct_active(session, end - 29, end)
    mean_dau = round(sum(n for _, n in daily) / len(daily), 2)
    return membership.Actives(rng.end, daily[-1][1], wau, mau, mean_dau, daily)


def retention(session: Session, rng: Range) -> cohorts.Retention:
    weeks = cohorts.weeks_of(rng)
    bounds = _instants(weeks)
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
    # Week j of the range: days since the Monday of its first week, over 7. Only the first and
    # last weeks can be clipped; their cohorts are clipped with them.
    origin = spans.week_of(rng.start.toordinal())
    clipped = {i for i, w in enumerate(weeks) if not spans.is_whole(w, "week")}
    whole = [w.start.toordinal() for i, w in enumerate(weeks) if i not in clipped]
    active = [[0] * (len(weeks) - i) for i in range(len(weeks))]

    def add(i: int, j: int, n: int) -> None:
        active[i][j - i] += n

    if whole:
        # Whole cohorts in whole weeks: the stored counts, less the members erased since.
        lo, hi = whole[0], whole[-1]
        cw, mw = COHORT_WEEKS, MEMBER_WEEKS
        for week, cohort, n in session.execute(
            sa.select(cw.c.week, cw.c.cohort, cw.c.members).where(
                cw.c.week.between(lo, hi), cw.c.cohort.between(lo, hi), cw.c.cohort <= cw.c.week
            )
        ):
            add((cohort - origin) // 7, (week - origin) // 7, int(n))
        # Found first, then their weeks by key: a join could have the database read every
        # member-week of the range and look its member up.
        erased = list(session.scalars(sa.select(MEMBERS.c.id).where(MEMBERS.c.status == "deleted")))
        for at in range(0, len(erased), spans.CHUNK):
            for week, cohort in session.execute(
                sa.select(mw.c.week, mw.c.cohort).where(
                    mw.c.member_id.in_(erased[at : at + spans.CHUNK]),
                    mw.c.week.between(lo, hi),
                    mw.c.cohort.between(lo, hi),
                    mw.c.cohort <= mw.c.week,
                )
            ):
                add((cohort - origin) // 7, (week - origin) // 7, -1)
    md = MEMBER_DAYS
    first, last = rng.start.toordinal(), rng.end.toordinal()
    if clipped:
        # Clipped cohorts (a few days of joiners) in every week: their member-days, a member
        # counted on their first day of each week.
        mine = _instants(weeks, sorted(clipped))
        week = (md.c.day - origin) // 7
        week_start = origin + week * 7
        first_of_week = sa.or_(md.c.prev_day.is_(None), md.c.prev_day < week_start, md.c.prev_day < first)
        theirs = sa.and_(MEMBERS.c.status != "deleted", MEMBERS.c.joined_at >= mine.c.s, MEMBERS.c.joined_at < mine.c.e)
        for i, j, n in session.execute(
            sa.select(mine.c.i, week, sa.func.count())
            .select_from(mine.join(MEMBERS, theirs).join(md, md.c.member_id == MEMBERS.c.id))
            .where(md.c.day.between(first, last), first_of_week, week >= mine.c.i)
            .group_by(mine.c.i, week)
        ):
            add(int(i), int(j), int(n))
    starts = [w.start_at for w in weeks]
    for j in sorted(clipped):
        # Whole cohorts in a clipped week (a few days): its members, their cohorts worked out here
        # (a join on the cohorts' bounds would have the database probe every cohort member).
        a, b = weeks[j].start.toordinal(), weeks[j].end.toordinal()
        for joined_at, status in session.execute(
            sa.select(MEMBERS.c.joined_at, MEMBERS.c.status)
            .select_from(md.join(MEMBERS, MEMBERS.c.id == md.c.member_id))
            .where(md.c.day.between(a, b), spans.first_in(a, md.c.prev_day))
        ):
            i = bisect.bisect_right(starts, joined_at) - 1
            if 0 <= i <= j and i not in clipped and status != "deleted":
                add(i, j, 1)
    return cohorts.Retention(rng, [cohorts.Cohort(w, sizes[i], active[i]) for i, w in enumerate(weeks)])


def churn(session: Session, rng: Range, idle_days: int) -> cohorts.Churn:
    """Counts of member-days by their previous-day links, no grouping by member: a member active
    in days a … b is also active in c … d (b < c) when their first row in c … d links back into
    a … b. A list is the earliest rows with no later row up to the as-of date."""
    end = rng.end.toordinal()
    first, current, idle = end - 59, end - 29, end - idle_days + 1
    md = MEMBER_DAYS
    active = sa.and_(MEMBERS.c.id == md.c.member_id, MEMBERS.c.status == "active")

    def count(*where: sa.ColumnElement[bool]) -> int:
        return int(session.scalar(sa.select(sa.func.count()).select_from(md.join(MEMBERS, active)).where(*where)) or 0)

    def returned(a: int, b: int, c: int, d: int) -> int:
        """Members active in a … b who are active again in c … d."""
        return count(md.c.day.between(c, d), md.c.prev_day.between(a, b))

    previously = count(md.c.day.between(first, current - 1), spans.first_in(first, md.c.prev_day))
    churned = previously - returned(first, current - 1, current, end)
    in_idle_start = count(md.c.day.between(current, idle - 1), spans.first_in(current, md.c.prev_day))
    at_risk = in_idle_start - returned(current, idle - 1, idle, end)

    last = md.alias("last")

    def listed(a: int, b: int) -> list[cohorts.Idle]:
        later = sa.select(md.c.day).where(md.c.member_id == last.c.member_id, md.c.day > last.c.day, md.c.day <= end)
        # Ordered by day first: a day's last_at values all come before the next day's, and the
        # scan can stop once it has a list's worth.
        rows = session.execute(
            sa.select(last.c.member_id, last.c.last_at, MEMBERS.c.user_id, MEMBERS.c.display_name)
            .select_from(last.join(MEMBERS, sa.and_(MEMBERS.c.id == last.c.member_id, MEMBERS.c.status == "active")))
            .where(last.c.day.between(a, b), ~later.exists())
            .order_by(last.c.day, last.c.last_at, last.c.member_id)
            .limit(cohorts.LIST_LIMIT)
        ).all()
        totals = dict(
            session.execute(
                sa.select(md.c.member_id, sa.func.sum(md.c.activities))
                .where(md.c.member_id.in_([r.member_id for r in rows]), md.c.day.between(first, end))
                .group_by(md.c.member_id)
            ).all()
        )
        return [cohorts.Idle(r.user_id, r.display_name, r.last_at, int(totals[r.member_id])) for r in rows]

    return cohorts.Churn(
        rng.end, idle_days, previously, churned, at_risk, listed(first, current - 1), listed(current, idle - 1)
    )


def first_response(session: Session, rng: Range) -> cohorts.FirstResponse:
    rows = session.execute(
        sa.select(MEMBERS.c.joined_at, FIRST_POSTS.c.first_at, FIRST_POSTS.c.reply_at)
        .select_from(MEMBERS.outerjoin(FIRST_POSTS, FIRST_POSTS.c.member_id == MEMBERS.c.id))
        .where(MEMBERS.c.status != "deleted", MEMBERS.c.joined_at >= rng.start_at, MEMBERS.c.joined_at < rng.end_at)
    ).all()
    return cohorts.summarize_responses(rng, [tuple(r) for r in rows])


def levels(session: Session, rng: Range, weights: Mapping[str, float]) -> engagement.Levels:
    """Each member's score over the range: the whole calendar months' member-month rows plus the
    member-days of the clipped months at its edges."""
    first, last = rng.start.toordinal(), rng.end.toordinal()
    months = spans.month_of(first) if first == spans.month_of(first) else spans.month_end(first) + 1
    parts: list[sa.Select[Any]] = []
    md, mm = MEMBER_DAYS, MEMBER_MONTHS
    end_month = months
    while spans.month_end(end_month) <= last:
        end_month = spans.month_end(end_month) + 1
    # Whole months: months … end_month - 1 (none when the range holds no whole month).
    if end_month > months:
        parts.append(sa.select(mm.c.member_id, mm.c.score).where(mm.c.month.between(months, end_month - 1)))
        edges = [(first, months - 1), (end_month, last)]
    else:
        edges = [(first, last)]
    parts += [sa.select(md.c.member_id, md.c.score).where(md.c.day.between(a, b)) for a, b in edges if a <= b]
    scores = parts[0].subquery() if len(parts) == 1 else sa.union_all(*parts).subquery()
    per_member = (
        sa.select(scores.c.member_id, sa.func.sum(scores.c.score).label("score"))
        .group_by(scores.c.member_id)
        .subquery()
    )
    if session.get_bind().dialect.name == "postgresql":
        # A score per member (tens of thousands) to hash and sort: in memory, not spilled to
        # disk at the default 4 MB (for this transaction only).
        session.execute(sa.text("SET LOCAL work_mem = '32MB'"))
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
