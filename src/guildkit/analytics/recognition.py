"""Recognition health, and the other programmes: mentorship, events and moderation, per period.

* **Points issued** per point type and period: the sum of positive ledger amounts dated in it
  (a ledger row is dated when the points were earned); **points reversed**: the sum of negative
  amounts (reversals and penalties), as a positive number.
* **Badge awards** per period: badge levels awarded in it (including ones revoked later).
* **Badge rarity** (now, not over the range): members holding a badge at any level (live
  awards) ÷ members who are not ``deleted``, like the badge catalog shows.
* **Programmes** per period: the measures other features contribute
  (``guildkit_register_analytics_measures``): mentorships requested, started, completed, ended early and
  mentees retained; events held, their attendances and "going" RSVPs; reports filed, cases
  resolved and sanctions given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics.hookspecs import Measure
from guildkit.analytics.periods import Period, Range, ratio
from guildkit.analytics.tables import Table, per_period
from guildkit.models import Badge, BadgeAward, LedgerEntry, Member, table_of

LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
BADGES = table_of(Badge)
MEMBERS = table_of(Member)


def _within(column: Any, period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(column >= period.start_at, column < period.end_at)


@dataclass(frozen=True)
class Rarity:
    badge: str
    name: str
    holders: int
    share: float | None


@dataclass(frozen=True)
class Recognition:
    range: Range
    point_types: list[str]
    #: Per period: ``{point_type: (issued, reversed)}``.
    points: list[dict[str, tuple[int, int]]]
    awards: list[int]
    members: int
    rarity: list[Rarity]

    def table(self) -> Table:
        columns = ["period", "start", "end", "badge_awards"]
        for t in self.point_types:
            columns += [f"issued:{t}", f"reversed:{t}"]
        rows = []
        for period, points, awards in zip(self.range.periods, self.points, self.awards, strict=True):
            row: list[Any] = [period.label, period.start, period.end, awards]
            for t in self.point_types:
                row += list(points.get(t, (0, 0)))
            rows.append(row)
        return Table(columns, rows)

    def rarity_table(self) -> Table:
        return Table(
            ("badge", "name", "holders", "share"), [[r.badge, r.name, r.holders, r.share] for r in self.rarity]
        )

    def out(self) -> dict[str, Any]:
        return {
            "range": self.range.out(),
            "point_types": self.point_types,
            "buckets": [
                {
                    **period.out(),
                    "badge_awards": awards,
                    "points": {t: {"issued": v[0], "reversed": v[1]} for t, v in sorted(points.items())},
                }
                for period, points, awards in zip(self.range.periods, self.points, self.awards, strict=True)
            ],
            "members": self.members,
            "badge_rarity": [
                {"badge": r.badge, "name": r.name, "holders": r.holders, "share": r.share} for r in self.rarity
            ],
        }


def recognition(session: Session, rng: Range) -> Recognition:
    issued = sa.func.coalesce(sa.func.sum(sa.case((LEDGER.c.amount > 0, LEDGER.c.amount), else_=0)), 0)
    taken = sa.func.coalesce(sa.func.sum(sa.case((LEDGER.c.amount < 0, -LEDGER.c.amount), else_=0)), 0)
    ledger = per_period(
        session,
        rng.periods,
        lambda p: (
            sa.select(LEDGER.c.point_type, issued.label("issued"), taken.label("taken"))
            .where(_within(LEDGER.c.created_at, p))
            .group_by(LEDGER.c.point_type)
        ),
    )
    awards = per_period(
        session,
        rng.periods,
        lambda p: sa.select(sa.func.count().label("n")).select_from(AWARDS).where(_within(AWARDS.c.awarded_at, p)),
    )
    points = [{r.point_type: (int(r.issued), int(r.taken)) for r in ledger[i]} for i in range(len(rng.periods))]
    return assemble(session, rng, points, [int(awards[i][0].n) for i in range(len(rng.periods))])


def assemble(session: Session, rng: Range, points: list[dict[str, tuple[int, int]]], awards: list[int]) -> Recognition:
    """The KPI from the points and awards per period, with badge rarity as of now."""
    members = int(
        session.scalar(sa.select(sa.func.count()).select_from(MEMBERS).where(MEMBERS.c.status != "deleted")) or 0
    )
    holders = sa.func.count(sa.distinct(AWARDS.c.member_id))
    rows = session.execute(
        sa.select(BADGES.c.slug, BADGES.c.name, holders.label("holders"))
        .select_from(
            BADGES.outerjoin(AWARDS, sa.and_(AWARDS.c.badge_slug == BADGES.c.slug, AWARDS.c.revoked_at.is_(None)))
        )
        .where(BADGES.c.archived.is_(False))
        .group_by(BADGES.c.slug, BADGES.c.name)
        .order_by(holders, BADGES.c.slug)
    )
    rarity = [Rarity(r.slug, r.name, int(r.holders), ratio(int(r.holders), members)) for r in rows]
    types = sorted({t for p in points for t in p})
    return Recognition(rng, types, points, awards, members, rarity)


@dataclass(frozen=True)
class Programmes:
    range: Range
    #: What each column counts, from the features that contribute measures, in order.
    columns: list[Measure]
    #: Per period, a value for each column, by name.
    rows: list[dict[str, int]]

    def table(self) -> Table:
        names = [m.name for m in self.columns]
        return Table(
            ["period", "start", "end", *names],
            [
                [p.label, p.start, p.end, *(row[n] for n in names)]
                for p, row in zip(self.range.periods, self.rows, strict=True)
            ],
        )

    def out(self) -> dict[str, Any]:
        return {
            "range": self.range.out(),
            "buckets": [{**p.out(), **row} for p, row in zip(self.range.periods, self.rows, strict=True)],
        }


def programmes(session: Session, rng: Range, measures: list[Measure]) -> Programmes:
    """Each measure per period (``guildkit_register_analytics_measures``): mentorship, events, moderation …"""
    if not measures:
        return Programmes(rng, [], [{} for _ in rng.periods])

    def build(p: Period) -> sa.Select[Any]:
        return sa.select(*(m.counter(p.start_at, p.end_at).label(m.name) for m in measures))

    found = per_period(session, rng.periods, build)
    rows = [{m.name: int(getattr(found[i][0], m.name)) for m in measures} for i in range(len(rng.periods))]
    return Programmes(rng, measures, rows)
