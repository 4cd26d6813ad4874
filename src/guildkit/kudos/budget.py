"""Budget periods and spending a budget, in the database.

A period starts at midnight in the community's time zone (``GUILDKIT_TIMEZONE``), the zone that
daily caps and streaks use: one moment for everyone, which a member cannot move by changing
their own zone. A week starts on Monday (ISO), a month on its first day.

:func:`spend` takes one kudos from a member's budget inside the giving transaction: the period's
row is made race-free (its primary key, ``ON CONFLICT DO NOTHING``), then moved up only while it
is under the budget (``UPDATE … SET used = used + 1 WHERE used < :budget``). On PostgreSQL the
update locks the row, and a writer that waited reads the row again before its ``WHERE``; on
SQLite ``BEGIN IMMEDIATE`` already serializes writers. Either way, however many gives run at
once, at most ``budget`` of them get a row back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa

from guildkit.kudos.models import KudosBudget
from guildkit.models import table_of
from guildkit.store import upsert

BUDGETS = table_of(KudosBudget)


@dataclass(frozen=True)
class Period:
    """One budget period: its first day and when the next one starts."""

    kind: str
    #: Its first day, in the community's time zone (what budget rows are keyed by).
    start: date
    #: When the budget refills: midnight of the next period's first day, in that zone.
    refills_at: datetime


def period_of(moment: datetime, kind: str, zone: tzinfo) -> Period:
    """The ``kind`` period (``day``, ``week`` or ``month``) that ``moment`` falls in."""
    day = moment.astimezone(zone).date()
    if kind == "day":
        start, following = day, day + timedelta(days=1)
    elif kind == "week":
        start = day - timedelta(days=day.weekday())
        following = start + timedelta(days=7)
    elif kind == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown budget period {kind!r}")
    return Period(kind, start, datetime.combine(following, time(), tzinfo=zone))


def used(conn: sa.Connection, member_id: int, period: date) -> int:
    """What the member gave in the period."""
    found = conn.scalar(sa.select(BUDGETS.c.used).where(BUDGETS.c.member_id == member_id, BUDGETS.c.period == period))
    return int(found or 0)


def spend(conn: sa.Connection, member_id: int, period: date, budget: int) -> bool:
    """Take one kudos from the member's budget for the period; ``False`` when none is left."""
    conn.execute(
        upsert(conn.dialect.name, BUDGETS, ("member_id", "period")).values(member_id=member_id, period=period, used=0)
    )
    moved = conn.execute(
        BUDGETS.update()
        .where(BUDGETS.c.member_id == member_id, BUDGETS.c.period == period, BUDGETS.c.used < budget)
        .values(used=BUDGETS.c.used + 1)
    )
    return moved.rowcount == 1
