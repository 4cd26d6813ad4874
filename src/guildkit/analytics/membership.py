"""Membership and activity KPIs: growth, active members, engagement, contributors, volume by type.

Definitions (``docs/analytics.md`` has them with examples):

* **members** at an instant: members who joined before it and are not ``deleted``;
  **new members** of a period: those who joined in it (and are not ``deleted``).
* **active** in a period: the actor of at least one live (not retracted) activity in it that is
  not guildkit's bookkeeping (:func:`.settings.participation`).
* **engagement rate**: active members ÷ members at the period's end.
* **contributing members**: active members with at least one content activity
  (``GUILDKIT_CONTENT_ACTIVITY_TYPES``); **contributing rate**: those ÷ members at the period's end.
* **DAU / WAU / MAU** as of a date: distinct active members on that local day, in the 7 and the
  30 local days ending with it; **stickiness**: the mean DAU over those 30 days ÷ MAU.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics.periods import Period, Range, days_back, local_midnight, ratio
from guildkit.analytics.settings import participation, type_matches
from guildkit.analytics.tables import Table, per_period
from guildkit.models import Activity, Member, table_of

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
_LISTED = MEMBERS.c.status != "deleted"


@dataclass(frozen=True)
class GrowthRow:
    period: Period
    new_members: int
    total_members: int


@dataclass(frozen=True)
class Growth:
    range: Range
    rows: list[GrowthRow]

    def table(self) -> Table:
        return Table(
            ("period", "start", "end", "new_members", "total_members"),
            [[r.period.label, r.period.start, r.period.end, r.new_members, r.total_members] for r in self.rows],
        )

    @property
    def new_members(self) -> int:
        """Members who joined in the range."""
        return sum(r.new_members for r in self.rows)

    @property
    def total_members(self) -> int:
        """Members at the range's end."""
        return self.rows[-1].total_members

    def out(self) -> dict[str, Any]:
        return {
            "range": self.range.out(),
            "new_members": self.new_members,
            "total_members": self.total_members,
            "buckets": [
                {**r.period.out(), "new_members": r.new_members, "total_members": r.total_members} for r in self.rows
            ],
        }


def growth(session: Session, rng: Range) -> Growth:
    before = session.scalar(
        sa.select(sa.func.count()).select_from(MEMBERS).where(_LISTED, MEMBERS.c.joined_at < rng.start_at)
    )
    found = per_period(
        session,
        rng.periods,
        lambda p: (
            sa.select(sa.func.count().label("n"))
            .select_from(MEMBERS)
            .where(_LISTED, MEMBERS.c.joined_at >= p.start_at, MEMBERS.c.joined_at < p.end_at)
        ),
    )
    total = int(before or 0)
    rows = []
    for i, period in enumerate(rng.periods):
        new = int(found[i][0].n)
        total += new
        rows.append(GrowthRow(period, new, total))
    return Growth(rng, rows)


@dataclass(frozen=True)
class ActivityRow:
    period: Period
    active_members: int
    total_members: int
    contributing_members: int
    activities: int
    by_type: dict[str, int]

    @property
    def engagement_rate(self) -> float | None:
        return ratio(self.active_members, self.total_members)

    @property
    def contributing_rate(self) -> float | None:
        return ratio(self.contributing_members, self.total_members)


@dataclass(frozen=True)
class ActivityReport:
    range: Range
    rows: list[ActivityRow]

    @property
    def types(self) -> list[str]:
        return sorted({t for r in self.rows for t in r.by_type})

    def table(self) -> Table:
        types = self.types
        columns = ["period", "start", "end", "active_members", "total_members", "engagement_rate"]
        columns += ["contributing_members", "contributing_rate", "activities", *(f"type:{t}" for t in types)]
        return Table(
            columns,
            [
                [
                    r.period.label,
                    r.period.start,
                    r.period.end,
                    r.active_members,
                    r.total_members,
                    r.engagement_rate,
                    r.contributing_members,
                    r.contributing_rate,
                    r.activities,
                    *(r.by_type.get(t, 0) for t in types),
                ]
                for r in self.rows
            ],
        )

    def out(self) -> dict[str, Any]:
        return {
            "range": self.range.out(),
            "types": self.types,
            "buckets": [
                {
                    **r.period.out(),
                    "active_members": r.active_members,
                    "total_members": r.total_members,
                    "engagement_rate": r.engagement_rate,
                    "contributing_members": r.contributing_members,
                    "contributing_rate": r.contributing_rate,
                    "activities": r.activities,
                    "by_type": r.by_type,
                }
                for r in self.rows
            ],
        }


def _in(period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(ACTIVITIES.c.occurred_at >= period.start_at, ACTIVITIES.c.occurred_at < period.end_at)


def activity(session: Session, rng: Range, content_types: tuple[str, ...]) -> ActivityReport:
    members = growth(session, rng)
    content = type_matches(content_types)
    counts = per_period(
        session,
        rng.periods,
        lambda p: sa.select(
            sa.func.count(sa.distinct(ACTIVITIES.c.actor_id)).label("active"),
            sa.func.count(sa.distinct(sa.case((content, ACTIVITIES.c.actor_id)))).label("contributing"),
            sa.func.count().label("n"),
        ).where(participation(), _in(p)),
    )
    # Grouped by an expression, not the bare column: given ``GROUP BY type``, SQLite prefers
    # walking the (type, occurred_at) index, which avoids a sort but reads the table for every
    # activity (to check retracted_at and the actor), eight times slower over a year than reading
    # the covering live index and sorting. The types are never NULL, so the groups are the same.
    type_key = sa.func.coalesce(ACTIVITIES.c.type, "")
    by_type = per_period(
        session,
        rng.periods,
        lambda p: (
            sa.select(type_key.label("type"), sa.func.count().label("n"))
            .where(participation(), _in(p))
            .group_by(type_key)
        ),
    )
    rows = []
    for i, period in enumerate(rng.periods):
        row = counts[i][0]
        rows.append(
            ActivityRow(
                period,
                int(row.active),
                members.rows[i].total_members,
                int(row.contributing),
                int(row.n),
                {t.type: int(t.n) for t in sorted(by_type[i], key=lambda t: t.type)},
            )
        )
    return ActivityReport(rng, rows)


@dataclass(frozen=True)
class Actives:
    as_of: date
    dau: int
    wau: int
    mau: int
    mean_dau: float
    daily: list[tuple[date, int]]

    @property
    def stickiness(self) -> float | None:
        # From the exact sum, not the rounded mean.
        return ratio(sum(n for _, n in self.daily), len(self.daily) * self.mau)

    def table(self) -> Table:
        return Table(("day", "active_members"), [[d, n] for d, n in self.daily])

    def out(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "dau": self.dau,
            "wau": self.wau,
            "mau": self.mau,
            "mean_dau": self.mean_dau,
            "stickiness": self.stickiness,
            "daily": [{"day": d, "active_members": n} for d, n in self.daily],
        }


def _distinct_actors(session: Session, start: Any, stop: Any) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count(sa.distinct(ACTIVITIES.c.actor_id))).where(
                participation(), ACTIVITIES.c.occurred_at >= start, ACTIVITIES.c.occurred_at < stop
            )
        )
        or 0
    )


def actives(session: Session, rng: Range) -> Actives:
    """DAU, WAU, MAU and stickiness as of the range's last day."""
    end = rng.end
    days = [end - timedelta(days=n) for n in range(29, -1, -1)]
    periods = [
        Period(d.isoformat(), d, d, local_midnight(d, rng.zone), local_midnight(d + timedelta(days=1), rng.zone))
        for d in days
    ]
    found = per_period(
        session,
        periods,
        lambda p: sa.select(sa.func.count(sa.distinct(ACTIVITIES.c.actor_id)).label("n")).where(
            participation(), _in(p)
        ),
    )
    daily = [(p.start, int(found[i][0].n)) for i, p in enumerate(periods)]
    wau = _distinct_actors(session, *days_back(end, 7, rng.zone))
    mau = _distinct_actors(session, *days_back(end, 30, rng.zone))
    mean_dau = round(sum(n for _, n in daily) / len(daily), 2)
    return Actives(end, daily[-1][1], wau, mau, mean_dau, daily)
