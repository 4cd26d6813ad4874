"""Freezes in the database: the gap a member's streak may be bridged over, freezes earned along a
run, and the balance moved only by conditional updates (never below zero, never twice).

:func:`bridge` answers ``guildkit_streak_gap_bridged`` inside the recording transaction. Days the
member declared an absence for, and days a freeze already covered for this streak, need nothing;
each other day needs one freeze, and the gap is bridged only when the member holds enough for all
of them (one ``UPDATE … WHERE held >= n``): then each day is logged as covered and the member is
told. A recount spends nothing: it finds the covered days again. :func:`earn` gives a freeze when
a run reaches a multiple of ``GUILDKIT_STREAKS_FREEZE_EVERY`` days, up to the most held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.i18n import N_
from guildkit.metrics import Streak
from guildkit.models import Counter, Member, Notification, table_of
from guildkit.notes import Said, stored
from guildkit.store import upsert
from guildkit.streaks.config import Settings
from guildkit.streaks.hookspecs import FreezeUsed
from guildkit.streaks.models import Absence, FreezeLogEntry, StreakFreezes

if TYPE_CHECKING:
    from guildkit.activity import ActivityView
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry
    from guildkit.transaction import Transaction

FREEZES = table_of(StreakFreezes)
LOG = table_of(FreezeLogEntry)
ABSENCES = table_of(Absence)
MEMBERS = table_of(Member)
COUNTERS = table_of(Counter)
NOTIFICATIONS = table_of(Notification)
#: A gap longer than this is never bridged (no absence or balance covers it): no day-by-day work.
LONGEST_GAP = 400
#: The notification kinds the feature tells members with.
USED_KIND = "streaks.freeze_used"
EARNED_KIND = "streaks.freeze_earned"
GRANTED_KIND = "streaks.freeze_granted"


def streak_key(activity_type: str, role: str) -> str:
    """How the log names a streak: ``visit:actor``."""
    return f"{activity_type}:{role}"


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def absent_days(conn: sa.Connection, member_id: int, first: date, last: date) -> set[date]:
    """The days from ``first`` to ``last`` one of the member's absences covers."""
    found: set[date] = set()
    rows = conn.execute(
        sa.select(ABSENCES.c.starts_on, ABSENCES.c.ends_on).where(
            ABSENCES.c.member_id == member_id, ABSENCES.c.starts_on <= last, ABSENCES.c.ends_on >= first
        )
    )
    for starts_on, ends_on in rows:
        found.update(days_between(max(starts_on, first), min(ends_on, last)))
    return found


def held(conn: sa.Connection, member_id: int) -> int:
    return int(conn.scalar(sa.select(FREEZES.c.held).where(FREEZES.c.member_id == member_id)) or 0)


def _open_balance(conn: sa.Connection, member_id: int) -> None:
    """Make the member's balance row (at 0) unless it is there: whoever gets there first."""
    conn.execute(upsert(conn.dialect.name, FREEZES, ("member_id",)).values(member_id=member_id, held=0))


def bridge(
    gk: GuildKit,
    conn: sa.Connection,
    member_id: int,
    activity_type: str,
    role: str,
    first: date,
    last: date,
    recount: bool,
    announce: Callable[..., None],
) -> bool:
    if last < first or (last - first).days >= LONGEST_GAP:
        return False
    key = streak_key(activity_type, role)
    covered = set(
        conn.scalars(
            sa.select(LOG.c.day).where(
                LOG.c.member_id == member_id,
                LOG.c.kind == "used",
                LOG.c.streak == key,
                LOG.c.day.between(first, last),
            )
        )
    )
    needed = [d for d in days_between(first, last) if d not in covered]
    if needed:
        needed = sorted(set(needed) - absent_days(conn, member_id, first, last))
    if not needed:
        return True
    if recount:
        return False
    count = len(needed)
    spent = conn.execute(
        FREEZES.update()
        .where(FREEZES.c.member_id == member_id, FREEZES.c.held >= count)
        .values(held=FREEZES.c.held - count)
        .returning(FREEZES.c.held)
    ).first()
    if spent is None:
        return False
    now = gk.clock()
    conn.execute(
        LOG.insert(),
        [
            {"member_id": member_id, "kind": "used", "count": 1, "streak": key, "day": day, "at": now, "reason": ""}
            for day in needed
        ],
    )
    _tell_used(conn, member_id, activity_type, needed, now)
    user_id = conn.scalar(sa.select(MEMBERS.c.user_id).where(MEMBERS.c.id == member_id))
    announce(
        "streak_freeze_used",
        used=FreezeUsed(str(user_id), member_id, activity_type, role, tuple(needed), int(spent.held)),
    )
    return True


def _tell_used(conn: sa.Connection, member_id: int, activity_type: str, days: Sequence[date], now: datetime) -> None:
    if len(days) == 1:
        said = Said(N_("A freeze kept your streak going on %(day)s."), {"day": days[0]})
    else:
        said = Said(
            N_("Freezes kept your streak going from %(first)s to %(last)s."), {"first": days[0], "last": days[-1]}
        )
    tell(conn, member_id, USED_KIND, said, now, activity_type=activity_type)


def tell(conn: sa.Connection, member_id: int, kind: str, said: Said, now: datetime, **data: object) -> None:
    text, kept = stored(said, data)
    conn.execute(NOTIFICATIONS.insert().values(member_id=member_id, kind=kind, text=text, data=kept, created_at=now))


# -- earning -------------------------------------------------------------------------------


def watched(registry: Registry, activities: Iterable[ActivityView]) -> dict[tuple[int, Streak], None]:
    """(member, streak) pairs these activities may have moved, in order, each once."""
    metrics = registry.metrics_by_trigger
    found: dict[tuple[int, Streak], None] = {}
    for view in activities:
        for metric in metrics.get(view.type, ()):
            if isinstance(metric, Streak):
                member = view.member(metric.role)
                if member is not None:
                    found[(member, metric)] = None
    return found


def earn(gk: GuildKit, tx: Transaction, activities: Sequence[ActivityView]) -> None:
    """A freeze for each run these activities took to a multiple of the configured days."""
    pairs = watched(tx.registry, activities)
    if not pairs:
        return
    settings = Settings.current()
    values: dict[tuple[int, str], int] = {}
    unknown: set[tuple[int, str]] = set()
    for member_id, metric in pairs:  # the pass just moved these counters: it knows them
        for name in (metric.current_name, metric.last_name):
            value = tx.counter(member_id, name)
            if value is None:
                unknown.add((member_id, name))
            else:
                values[(member_id, name)] = value
    if unknown:
        query = sa.select(COUNTERS.c.member_id, COUNTERS.c.name, COUNTERS.c.value).where(
            COUNTERS.c.member_id.in_(sorted({m for m, _ in unknown})),
            COUNTERS.c.name.in_(sorted({n for _, n in unknown})),
        )
        values.update({(m, n): v for m, n, v in tx.conn.execute(query) if (m, n) in unknown})
    for member_id, metric in pairs:
        current = values.get((member_id, metric.current_name), 0)
        last = values.get((member_id, metric.last_name), 0)
        if current <= 0 or last <= 0 or current % settings.freeze_every:
            continue
        _earn_one(tx, member_id, metric, date.fromordinal(last), settings.max_freezes)


def _earn_one(tx: Transaction, member_id: int, metric: Streak, day: date, most: int) -> None:
    conn = tx.conn
    key = streak_key(metric.type, metric.role)
    logged = conn.execute(
        upsert(tx.dialect, LOG, ("member_id", "kind", "streak", "day"), returning=("id",)).values(
            member_id=member_id, kind="earned", count=1, streak=key, day=day, at=tx.now, reason=""
        )
    ).first()
    if logged is None:  # this milestone earned its freeze already
        return
    _open_balance(conn, member_id)
    raised = conn.execute(
        FREEZES.update()
        .where(FREEZES.c.member_id == member_id, FREEZES.c.held < most)
        .values(held=FREEZES.c.held + 1)
        .returning(FREEZES.c.held)
    ).first()
    if raised is None:  # holding the most already: nothing earned
        conn.execute(LOG.delete().where(LOG.c.id == logged.id))
        return
    said = Said(N_("You earned a streak freeze: it keeps your streak going if you miss a day."), {})
    tell(conn, member_id, EARNED_KIND, said, tx.now, activity_type=metric.type)


def grant(tx: Transaction, member_id: int, count: int, reason: str, by: str | None) -> int:
    """Give the member ``count`` freezes; returns how many they hold now."""
    conn = tx.conn
    _open_balance(conn, member_id)
    now_held = conn.execute(
        FREEZES.update()
        .where(FREEZES.c.member_id == member_id)
        .values(held=FREEZES.c.held + count)
        .returning(FREEZES.c.held)
    ).scalar_one()
    conn.execute(
        LOG.insert().values(
            member_id=member_id, kind="granted", count=count, streak="", day=None, at=tx.now, reason=reason, by=by
        )
    )
    if count == 1:
        said = Said(N_("You were given a streak freeze: %(reason)s"), {"reason": reason})
    else:
        said = Said(N_("You were given %(count)s streak freezes: %(reason)s"), {"count": count, "reason": reason})
    tell(conn, member_id, GRANTED_KIND, said, tx.now)
    return int(now_held)
