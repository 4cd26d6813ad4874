"""Recognition health, and the other programmes: mentorship, events and moderation, per period.

* **Points issued** per point type and period: the sum of positive ledger amounts dated in it
  (a ledger row is dated when the points were earned); **points reversed**: the sum of negative
  amounts (reversals and penalties), as a positive number.
* **Badge awards** per period: badge levels awarded in it (including ones revoked later).
* **Badge rarity** (now, not over the range): members holding a badge at any level (live
  awards) ÷ members who are not ``deleted``, like the badge catalog shows.
* **Mentorship** per period: requested, started (became active), completed, ended early, and
  mentees retained (the mentee stayed active ``GUILDKIT_MENTEE_RETAINED_DAYS`` after).
* **Events** per period: events held (starting in it, not cancelled), their attendances and
  "going" RSVPs.
* **Moderation** per period: reports filed, cases resolved, sanctions given (warn, mute,
  suspend, ban).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics.periods import Period, Range, ratio
from guildkit.analytics.tables import Table, per_period
from guildkit.events.models import Attendance, Event, Rsvp
from guildkit.mentorship.models import Mentorship
from guildkit.models import Badge, BadgeAward, LedgerEntry, Member, table_of
from guildkit.moderation.models import SANCTION_KINDS, ModerationCase, Report, Sanction

LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
BADGES = table_of(Badge)
MEMBERS = table_of(Member)
MENTORSHIPS = table_of(Mentorship)
EVENTS = table_of(Event)
ATTENDANCES = table_of(Attendance)
RSVPS = table_of(Rsvp)
REPORTS = table_of(Report)
CASES = table_of(ModerationCase)
SANCTIONS = table_of(Sanction)


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
    return Recognition(rng, types, points, [int(awards[i][0].n) for i in range(len(rng.periods))], members, rarity)


#: The columns of :func:`programmes`, in order: (name, what it counts).
PROGRAMME_COLUMNS = (
    ("mentorships_requested", "mentorships requested"),
    ("mentorships_started", "mentorships that became active"),
    ("mentorships_completed", "mentorships completed"),
    ("mentorships_ended_early", "mentorships ended early"),
    ("mentees_retained", "mentees retained after their mentorship"),
    ("events_held", "events held (not cancelled)"),
    ("event_attendances", "attendances at those events"),
    ("event_rsvps_going", "“going” RSVPs for those events"),
    ("reports", "reports filed"),
    ("cases_resolved", "moderation cases resolved"),
    *((f"sanctions_{kind}", f"sanctions: {kind}") for kind in SANCTION_KINDS),
)


@dataclass(frozen=True)
class Programmes:
    range: Range
    #: Per period, a value for each of :data:`PROGRAMME_COLUMNS`.
    rows: list[dict[str, int]]

    def table(self) -> Table:
        names = [name for name, _ in PROGRAMME_COLUMNS]
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


def _count(table: sa.Table, *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.count()).select_from(table).where(*where).scalar_subquery()


def programmes(session: Session, rng: Range) -> Programmes:
    m = MENTORSHIPS.c
    held = sa.and_(EVENTS.c.cancelled_at.is_(None))

    def build(p: Period) -> sa.Select[Any]:
        events_in = sa.select(EVENTS.c.id).where(held, _within(EVENTS.c.starts_at, p))
        columns = [
            _count(MENTORSHIPS, _within(m.requested_at, p)),
            _count(MENTORSHIPS, _within(m.started_at, p)),
            _count(MENTORSHIPS, m.state == "completed", _within(m.ended_at, p)),
            _count(MENTORSHIPS, m.state == "ended", _within(m.ended_at, p)),
            _count(MENTORSHIPS, _within(m.retained_at, p)),
            _count(EVENTS, held, _within(EVENTS.c.starts_at, p)),
            _count(ATTENDANCES, ATTENDANCES.c.event_id.in_(events_in)),
            _count(RSVPS, RSVPS.c.status == "going", RSVPS.c.event_id.in_(events_in)),
            _count(REPORTS, _within(REPORTS.c.created_at, p)),
            _count(CASES, CASES.c.status == "resolved", _within(CASES.c.resolved_at, p)),
            *(
                _count(SANCTIONS, SANCTIONS.c.kind == kind, _within(SANCTIONS.c.created_at, p))
                for kind in SANCTION_KINDS
            ),
        ]
        return sa.select(*(c.label(name) for c, (name, _) in zip(columns, PROGRAMME_COLUMNS, strict=True)))

    found = per_period(session, rng.periods, build)
    names = [name for name, _ in PROGRAMME_COLUMNS]
    return Programmes(rng, [{n: int(getattr(found[i][0], n)) for n in names} for i in range(len(rng.periods))])
