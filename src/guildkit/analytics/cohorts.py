"""Cohort retention, churn and members at risk, and newcomers' time to first response.

* **Cohort retention**: members who joined in week W (a local Monday-to-Sunday week of the range,
  clipped to it) and were active in week W+n, for every week of the range; as a count and as a
  share of the cohort. Cohorts are found once (member id → cohort), then each activity week is one
  index range scan whose distinct actors are counted into their cohorts.
* **Churned** as of a date D: members (status ``active``) active in the 30 local days before the
  last 30 (D-59 … D-30) and not in the last 30 (D-29 … D). **Churn rate**: churned ÷ members
  active in those earlier 30 days.
* **At risk** as of D: members (status ``active``) active in the last 30 days, but not in the last
  ``GUILDKIT_AT_RISK_IDLE_DAYS`` (default 14): the ones to reach out to before they churn.
* **Time to first response**: for each member who joined in a period and posted content
  (``GUILDKIT_CONTENT_ACTIVITY_TYPES``), the time from their first content activity to the first
  reply activity (``GUILDKIT_REPLY_ACTIVITY_TYPES``) by someone else with them as its target, at or
  after it. Reported per join period as the median and mean in hours, with how many got one.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics.periods import Period, Range, days_back, local_midnight, ratio
from guildkit.analytics.settings import participation, type_matches
from guildkit.analytics.tables import Table
from guildkit.models import Activity, Member, table_of

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
#: The most members each list (churned, at risk) shows; the counts are always complete.
LIST_LIMIT = 200


@dataclass(frozen=True)
class Cohort:
    period: Period
    size: int
    #: ``active[n]``: cohort members active in the n-th week from the cohort's own.
    active: list[int]

    @property
    def rates(self) -> list[float | None]:
        return [ratio(n, self.size) for n in self.active]


@dataclass(frozen=True)
class Retention:
    range: Range
    cohorts: list[Cohort]

    def table(self) -> Table:
        weeks = len(self.cohorts)
        columns = ["cohort", "start", "end", "members", *(f"week_{n}" for n in range(weeks))]
        rows = [
            [c.period.label, c.period.start, c.period.end, c.size, *c.active, *([None] * (weeks - len(c.active)))]
            for c in self.cohorts
        ]
        return Table(columns, rows)

    def out(self) -> dict[str, Any]:
        return {
            "range": self.range.out(),
            "cohorts": [
                {**c.period.out(), "members": c.size, "active": c.active, "rates": c.rates} for c in self.cohorts
            ],
        }


def retention(session: Session, rng: Range) -> Retention:
    """Weekly cohorts of the range (the range's bucket is ignored: cohorts are weeks)."""
    weeks = weeks_of(rng)
    starts = [p.start_at for p in weeks]
    cohort_of: dict[int, int] = {}
    sizes = [0] * len(weeks)
    joined = session.execute(
        sa.select(MEMBERS.c.id, MEMBERS.c.joined_at).where(
            MEMBERS.c.status != "deleted", MEMBERS.c.joined_at >= rng.start_at, MEMBERS.c.joined_at < rng.end_at
        )
    )
    for member_id, joined_at in joined:
        index = bisect.bisect_right(starts, joined_at) - 1
        cohort_of[member_id] = index
        sizes[index] += 1
    active = [[0] * (len(weeks) - i) for i in range(len(weeks))]
    for j, week in enumerate(weeks):
        actors = session.execute(
            sa.select(ACTIVITIES.c.actor_id)
            .where(participation(), ACTIVITIES.c.occurred_at >= week.start_at, ACTIVITIES.c.occurred_at < week.end_at)
            .distinct()
        ).scalars()
        for actor in actors:
            i = cohort_of.get(actor)
            if i is not None and i <= j:
                active[i][j - i] += 1
    return Retention(rng, [Cohort(week, sizes[i], active[i]) for i, week in enumerate(weeks)])


def weeks_of(rng: Range) -> tuple[Period, ...]:
    if rng.bucket == "week":
        return rng.periods
    from guildkit.analytics.periods import make_range

    return make_range(rng.start, rng.end, "week", rng.zone, rng.end).periods


@dataclass(frozen=True)
class Idle:
    """A member on the churned or at-risk list."""

    user_id: str
    name: str | None
    last_active_at: datetime
    activities: int


@dataclass(frozen=True)
class Churn:
    as_of: date
    idle_days: int
    previously_active: int
    churned: int
    at_risk: int
    churned_members: list[Idle]
    at_risk_members: list[Idle]

    @property
    def churn_rate(self) -> float | None:
        return ratio(self.churned, self.previously_active)

    def table(self) -> Table:
        rows = [
            ["churned", m.user_id, m.name, m.last_active_at.isoformat(), m.activities] for m in self.churned_members
        ]
        rows += [
            ["at_risk", m.user_id, m.name, m.last_active_at.isoformat(), m.activities] for m in self.at_risk_members
        ]
        return Table(("list", "user_id", "name", "last_active_at", "activities"), rows)

    def out(self) -> dict[str, Any]:
        def members(items: list[Idle]) -> list[dict[str, Any]]:
            return [
                {"user_id": m.user_id, "name": m.name, "last_active_at": m.last_active_at, "activities": m.activities}
                for m in items
            ]

        return {
            "as_of": self.as_of,
            "idle_days": self.idle_days,
            "previously_active": self.previously_active,
            "churned": self.churned,
            "churn_rate": self.churn_rate,
            "at_risk": self.at_risk,
            "churned_members": members(self.churned_members),
            "at_risk_members": members(self.at_risk_members),
        }


def churn(session: Session, rng: Range, idle_days: int) -> Churn:
    """Churned and at-risk members as of the range's last day.

    One grouped pass over the 60 days gives each member (status ``active``) who acted in them
    their first and last activity and their count; the counts and lists are sorted out from that.
    """
    end = rng.end
    current_start, stop = days_back(end, 30, rng.zone)
    previous_start = local_midnight(end - timedelta(days=59), rng.zone)
    idle_start = local_midnight(end - timedelta(days=idle_days - 1), rng.zone)
    per_member = (
        sa.select(
            ACTIVITIES.c.actor_id.label("member_id"),
            sa.func.min(ACTIVITIES.c.occurred_at).label("first_at"),
            sa.func.max(ACTIVITIES.c.occurred_at).label("last_at"),
            sa.func.count().label("n"),
        )
        .where(participation(), ACTIVITIES.c.occurred_at >= previous_start, ACTIVITIES.c.occurred_at < stop)
        .group_by(ACTIVITIES.c.actor_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(per_member, MEMBERS.c.user_id, MEMBERS.c.display_name).join(
            MEMBERS, sa.and_(MEMBERS.c.id == per_member.c.member_id, MEMBERS.c.status == "active")
        )
    ).all()
    previously = sum(1 for r in rows if r.first_at < current_start)
    churned = sorted((r for r in rows if r.last_at < current_start), key=lambda r: (r.last_at, r.member_id))
    at_risk = sorted(
        (r for r in rows if current_start <= r.last_at < idle_start), key=lambda r: (r.last_at, r.member_id)
    )

    def listed(found: list[sa.Row[Any]]) -> list[Idle]:
        return [Idle(r.user_id, r.display_name, r.last_at, int(r.n)) for r in found[:LIST_LIMIT]]

    return Churn(end, idle_days, previously, len(churned), len(at_risk), listed(churned), listed(at_risk))


@dataclass(frozen=True)
class ResponseRow:
    period: Period
    newcomers: int
    posted: int
    answered: int
    median_hours: float | None
    mean_hours: float | None


@dataclass(frozen=True)
class FirstResponse:
    range: Range
    rows: list[ResponseRow]
    median_hours: float | None

    def table(self) -> Table:
        return Table(
            ("period", "start", "end", "newcomers", "posted", "answered", "median_hours", "mean_hours"),
            [
                [
                    r.period.label,
                    r.period.start,
                    r.period.end,
                    r.newcomers,
                    r.posted,
                    r.answered,
                    r.median_hours,
                    r.mean_hours,
                ]
                for r in self.rows
            ],
        )

    def out(self) -> dict[str, Any]:
        return {
            "range": self.range.out(),
            "median_hours": self.median_hours,
            "buckets": [
                {
                    **r.period.out(),
                    "newcomers": r.newcomers,
                    "posted": r.posted,
                    "answered": r.answered,
                    "median_hours": r.median_hours,
                    "mean_hours": r.mean_hours,
                }
                for r in self.rows
            ],
        }


def _hours(values: list[float], how: Any) -> float | None:
    return round(how(values), 2) if values else None


def first_response(
    session: Session, rng: Range, content_types: tuple[str, ...], reply_types: tuple[str, ...]
) -> FirstResponse:
    # Each newcomer's first content activity, then the first reply to them at or after it: both
    # are the first row of an index range ((actor, time), then (target, time)), so each newcomer
    # costs two short index probes however much they or their repliers did afterwards.
    first_at = (
        sa.select(ACTIVITIES.c.occurred_at)
        .where(
            ACTIVITIES.c.actor_id == MEMBERS.c.id,
            ACTIVITIES.c.retracted_at.is_(None),
            type_matches(content_types),
        )
        .order_by(ACTIVITIES.c.occurred_at)
        .limit(1)
        .scalar_subquery()
    )
    newcomers = (
        sa.select(MEMBERS.c.id, MEMBERS.c.joined_at, first_at.label("first_at"))
        .where(MEMBERS.c.status != "deleted", MEMBERS.c.joined_at >= rng.start_at, MEMBERS.c.joined_at < rng.end_at)
        .subquery()
    )
    reply = ACTIVITIES.alias("reply")
    reply_at = (
        sa.select(reply.c.occurred_at)
        .where(
            reply.c.target_id == newcomers.c.id,
            reply.c.occurred_at >= newcomers.c.first_at,
            reply.c.actor_id != newcomers.c.id,
            reply.c.retracted_at.is_(None),
            type_matches(reply_types, reply.c.type),
        )
        .order_by(reply.c.occurred_at)
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(sa.select(newcomers.c.joined_at, newcomers.c.first_at, reply_at.label("reply_at"))).all()
    return summarize_responses(rng, [tuple(r) for r in rows])


def summarize_responses(rng: Range, rows: list[tuple[Any, ...]]) -> FirstResponse:
    """The KPI from each newcomer's ``(joined_at, first_at, reply_at)`` (the last two may be None)."""
    starts = [p.start_at for p in rng.periods]
    buckets: list[list[Any]] = [[0, 0, []] for _ in rng.periods]
    everyone: list[float] = []
    for joined_at, first_at, reply_at in rows:
        bucket = buckets[bisect.bisect_right(starts, joined_at) - 1]
        bucket[0] += 1
        if first_at is not None:
            bucket[1] += 1
            if reply_at is not None:
                hours = (reply_at - first_at).total_seconds() / 3600
                bucket[2].append(hours)
                everyone.append(hours)
    out = [
        ResponseRow(p, n, posted, len(h), _hours(h, statistics.median), _hours(h, statistics.fmean))
        for p, (n, posted, h) in zip(rng.periods, buckets, strict=True)
    ]
    return FirstResponse(rng, out, _hours(everyone, statistics.median))
