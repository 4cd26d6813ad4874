"""Calendar rows kept beside the member-days: member-weeks, member-months, and the distinct
members active and contributing per calendar day, week and month (:mod:`.models`).

A KPI bucket that is a whole calendar week or month, which is every bucket of a range but the
clipped first and last, reads these instead of every member's days in it: the activity KPI one
count row per bucket, retention one row per member and week, the engagement levels one score
per member and month. Only a range's clipped edges still read member-days (:mod:`.rolled`).

They are derived from the member-days, never from the activity log, once those are final and
linked (a refresh relinks before it calls :func:`refresh`): the weeks and months holding a
recomputed day are recomputed for the members recomputed on it (everyone, when the whole day
was), then the counts of those days, weeks and months. Recomputed, never added to, so a refresh
stays idempotent, and a rebuild gives the same rows as the refreshes that led up to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guildkit.analytics.models import CohortWeek, MemberDay, MemberMonth, MemberWeek, PeriodCount
from guildkit.analytics.periods import Period
from guildkit.models import Member, table_of

MEMBER_DAYS = table_of(MemberDay)
MEMBER_WEEKS = table_of(MemberWeek)
COHORT_WEEKS = table_of(CohortWeek)
MEMBERS = table_of(Member)
MEMBER_MONTHS = table_of(MemberMonth)
COUNTS = table_of(PeriodCount)
SPAN_TABLES = (MEMBER_WEEKS, COHORT_WEEKS, MEMBER_MONTHS, COUNTS)
#: Members per ``IN`` list.
CHUNK = 500

#: Local day -> the members recomputed on it (None: everyone).
Dirty = Mapping[int, "set[int] | None"]


def week_of(day: int) -> int:
    """The ordinal of the Monday of ``day``'s week (ordinal 1, 1 January of year 1, is a Monday)."""
    return day - (day - 1) % 7


def month_of(day: int) -> int:
    return date.fromordinal(day).replace(day=1).toordinal()


def month_end(month: int) -> int:
    """The last day of the month that starts on day ``month``."""
    first = date.fromordinal(month)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1).toordinal() - 1


def span_end(span: str, start: int) -> int:
    return start if span == "day" else start + 6 if span == "week" else month_end(start)


def is_whole(period: Period, span: str) -> bool:
    """Whether a bucket is a whole calendar ``span`` (not clipped by its range)."""
    first, last = period.start.toordinal(), period.end.toordinal()
    start = first if span == "day" else week_of(first) if span == "week" else month_of(first)
    return first == start and last == span_end(span, start)


def first_in(first_day: Any, previous: Any) -> sa.ColumnElement[bool]:
    """A member-day that is its member's first from ``first_day`` on (no earlier active day at or
    after it): counting these counts distinct members without grouping."""
    return sa.or_(previous.is_(None), previous < first_day)


def refresh(conn: sa.Connection, dirty: Dirty, zone: ZoneInfo) -> None:
    """Recompute the rows that depend on the member-days of the ``dirty`` days."""
    cohorts = _Cohorts(zone)
    weeks: dict[int, set[int] | None] = {}
    months: dict[int, set[int] | None] = {}
    for day, members in dirty.items():
        _merge(weeks, week_of(day), members)
        _merge(months, month_of(day), members)
    for week, members in sorted(weeks.items()):
        _recompute_weeks(conn, week, members, cohorts)
        _recount_cohorts(conn, week)
    for month, members in sorted(months.items()):
        _recompute_months(conn, month, members)
    for span, starts in (("day", dirty), ("week", weeks), ("month", months)):
        for start in sorted(starts):
            _recount(conn, span, start)


def rebuild(conn: sa.Connection, first: int, last: int, zone: ZoneInfo) -> None:
    """Build every row for the days ``first`` to ``last`` (the tables start empty)."""
    refresh(conn, dict.fromkeys(range(first, last + 1)), zone)


def _merge(into: dict[int, set[int] | None], key: int, members: set[int] | None) -> None:
    if key in into and into[key] is None:
        return
    if members is None:
        into[key] = None
        return
    found = into.setdefault(key, set())
    assert found is not None
    found.update(members)


def _chunks(members: set[int] | None) -> list[list[int] | None]:
    if members is None:
        return [None]
    ordered = sorted(members)
    return [ordered[at : at + CHUNK] for at in range(0, len(ordered), CHUNK)]


def _recompute_weeks(conn: sa.Connection, week: int, members: set[int] | None, cohorts: _Cohorts) -> None:
    md = MEMBER_DAYS
    for chunk in _chunks(members):
        stored: sa.ColumnElement[bool] = MEMBER_WEEKS.c.week == week
        # A member's first day of the week: one row per member, no grouping.
        theirs = sa.and_(md.c.day.between(week, week + 6), first_in(week, md.c.prev_day))
        if chunk is not None:
            stored = sa.and_(stored, MEMBER_WEEKS.c.member_id.in_(chunk))
            theirs = sa.and_(theirs, md.c.member_id.in_(chunk))
        conn.execute(MEMBER_WEEKS.delete().where(stored))
        found = conn.execute(
            sa.select(md.c.member_id, MEMBERS.c.joined_at).join(MEMBERS, MEMBERS.c.id == md.c.member_id).where(theirs)
        ).all()
        if found:
            conn.execute(
                MEMBER_WEEKS.insert(),
                [{"member_id": m, "week": week, "cohort": cohorts.of(m, joined)} for m, joined in found],
            )


class _Cohorts:
    """Each member's cohort (the Monday of their local joining day), worked out once a refresh:
    the local day of an instant needs the zone's rules, which SQL here never applies."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.found: dict[int, int] = {}

    def of(self, member: int, joined: datetime) -> int:
        cohort = self.found.get(member)
        if cohort is None:
            cohort = self.found[member] = week_of(joined.astimezone(self.zone).date().toordinal())
        return cohort


def _recount_cohorts(conn: sa.Connection, week: int) -> None:
    mw, cw = MEMBER_WEEKS, COHORT_WEEKS
    conn.execute(cw.delete().where(cw.c.week == week))
    conn.execute(
        cw.insert().from_select(
            ["week", "cohort", "members"],
            sa.select(mw.c.week, mw.c.cohort, sa.func.count())
            .where(mw.c.week == week)
            .group_by(mw.c.week, mw.c.cohort),
        )
    )


def _recompute_months(conn: sa.Connection, month: int, members: set[int] | None) -> None:
    md = MEMBER_DAYS
    for chunk in _chunks(members):
        stored: sa.ColumnElement[bool] = MEMBER_MONTHS.c.month == month
        theirs: sa.ColumnElement[bool] = md.c.day.between(month, month_end(month))
        if chunk is not None:
            stored = sa.and_(stored, MEMBER_MONTHS.c.member_id.in_(chunk))
            theirs = sa.and_(theirs, md.c.member_id.in_(chunk))
        conn.execute(MEMBER_MONTHS.delete().where(stored))
        conn.execute(
            MEMBER_MONTHS.insert().from_select(
                ["month", "member_id", "score", "content"],
                sa.select(sa.literal(month), md.c.member_id, sa.func.sum(md.c.score), sa.func.sum(md.c.content))
                .where(theirs)
                .group_by(md.c.member_id),
            )
        )


def _recount(conn: sa.Connection, span: str, start: int) -> None:
    md, mm = MEMBER_DAYS, MEMBER_MONTHS
    if span == "month":
        select = sa.select(sa.func.count(), sa.func.sum(sa.case((mm.c.content > 0, 1), else_=0))).where(
            mm.c.month == start
        )
    else:
        select = sa.select(*distinct_counts(start)).where(md.c.day.between(start, span_end(span, start)))
    active, contributing = conn.execute(select).one()
    where = sa.and_(COUNTS.c.span == span, COUNTS.c.start == start)
    conn.execute(COUNTS.delete().where(where))
    if active:
        conn.execute(
            COUNTS.insert().values(span=span, start=start, active=int(active), contributing=int(contributing or 0))
        )


def distinct_counts(first: Any) -> tuple[Any, Any]:
    """Distinct members active and contributing among member-days from ``first`` on (the caller
    restricts the last day): each member's first row there, and first content row, counted."""
    md = MEMBER_DAYS
    active = sa.func.sum(sa.case((first_in(first, md.c.prev_day), 1), else_=0))
    contributing = sa.func.sum(sa.case((sa.and_(md.c.content > 0, first_in(first, md.c.prev_content_day)), 1), else_=0))
    return active, contributing


def counts(session: Any, span: str, starts: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Start -> (active, contributing) of the whole calendar periods ``starts`` (sorted)."""
    if not starts:
        return {}
    rows: Iterable[Any] = session.execute(
        sa.select(COUNTS.c.start, COUNTS.c.active, COUNTS.c.contributing).where(
            COUNTS.c.span == span, COUNTS.c.start.between(starts[0], starts[-1])
        )
    )
    wanted = set(starts)
    return {int(s): (int(a), int(c)) for s, a, c in rows if s in wanted}
