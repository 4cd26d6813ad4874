"""Counting activities toward group goals, inside the recording transaction, incrementally.

The plugin's ``guildkit_activities_applied`` hands each pipeline pass here. One read finds the
goals the pass's activities count toward (through the actors' memberships, by activity type and
range); then the (goal, period) counters move by ``count = count + k`` in one multi-row upsert
(up to :data:`PERIODS_PER_STATEMENT` a statement), and the contributors' rows the same way (one
``executemany``): three statements for a pass that moves any counter, however many goals it
moves, one for a pass that moves none; the cost per activity stays flat however long the history.

This runs for every activity recorded, so its statements are built and compiled once per
dialect (:class:`~guildkit.store.Prepared`; building a statement costs more than running it) and
sent with ``exec_driver_sql``, which keeps them visible to the engine's ``before_cursor_execute``
listeners (statement counters, query logs). The read has a one-activity form (``=``) and a
batch form (:func:`~guildkit.store.in_list`), so neither expands a list per call.

Reaching the target is decided on the counter row itself. On PostgreSQL the upsert holds the row
until the commit, so the writers that finish a goal at the same moment take turns and each reads
the count the previous one committed; on SQLite ``BEGIN IMMEDIATE`` serializes them anyway. The
one that crosses the target stamps ``reached_at`` (``WHERE reached_at IS NULL``: once) and writes
the group's badge row (unique per goal and period, ``ON CONFLICT DO NOTHING`` besides), and the
reach is announced after the commit (``guildkit_group_goal_reached``), where the contributors'
badges are awarded (:mod:`.awarding`). Counters are moved in (goal, period) order, so two writers
never wait for each other in a circle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guildkit.groups.hookspecs import GroupGoalReached
from guildkit.groups.models import (
    Group,
    GroupBadge,
    GroupGoal,
    GroupGoalContribution,
    GroupGoalPeriod,
    GroupMembership,
)
from guildkit.groups.views import period_of
from guildkit.models import Member, table_of
from guildkit.models.base import UTCDateTime
from guildkit.store import Prepared, in_list, upsert

if TYPE_CHECKING:
    from guildkit.activity import ActivityView
    from guildkit.transaction import Transaction

GROUPS = table_of(Group)
GOALS = table_of(GroupGoal)
PERIODS = table_of(GroupGoalPeriod)
CONTRIBUTIONS = table_of(GroupGoalContribution)
BADGES = table_of(GroupBadge)
MEMBERSHIPS = table_of(GroupMembership)
MEMBERS = table_of(Member)
RESERVED_PREFIX = "guildkit."

_WHEN = UTCDateTime()


def _goals_of(actors: sa.ColumnElement[bool], types: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """(member, goal) pairs: the running goals of these types in the groups of these actors
    (active members only). An index read: the member's memberships, then each group's goals by
    type; the history is not touched."""
    return (
        sa.select(MEMBERSHIPS.c.member_id, GOALS.c.id, GOALS.c.group_id, GOALS.c.activity_type, GOALS.c.target,
                  GOALS.c.starts_at, GOALS.c.ends_at, GOALS.c.recurring)
        .join(GOALS, GOALS.c.group_id == MEMBERSHIPS.c.group_id)
        .join(MEMBERS, MEMBERS.c.id == MEMBERSHIPS.c.member_id)
        .where(
            actors,
            MEMBERSHIPS.c.state == "member",
            MEMBERS.c.status == "active",
            types,
            GOALS.c.starts_at <= sa.bindparam("last", type_=_WHEN),
            sa.or_(GOALS.c.ends_at.is_(None), GOALS.c.ends_at > sa.bindparam("first", type_=_WHEN)),
        )
    )  # fmt: skip


#: For one activity (the usual pass: one ``gk.record``), and for a batch.
GOALS_OF_ONE = Prepared(
    lambda dialect: _goals_of(
        MEMBERSHIPS.c.member_id == sa.bindparam("m", type_=sa.Integer),
        GOALS.c.activity_type == sa.bindparam("t", type_=sa.String),
    )
)
GOALS_OF_MANY = Prepared(
    lambda dialect: _goals_of(
        in_list(MEMBERSHIPS.c.member_id, "members", dialect), in_list(GOALS.c.activity_type, "types", dialect)
    )
)


def _binds(table: sa.Table, columns: tuple[str, ...], suffix: str = "") -> dict[str, Any]:
    return {name: sa.bindparam(f"{name}{suffix}", type_=table.c[name].type) for name in columns}


def _bump(dialect: str, table: sa.Table, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> sa.Insert:
    """``INSERT … VALUES (rows) ON CONFLICT (keys) DO UPDATE SET count = count + excluded.count``."""
    base = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)).values(
        rows[0] if len(rows) == 1 else rows
    )
    return base.on_conflict_do_update(index_elements=list(keys), set_={"count": table.c.count + base.excluded.count})


PERIOD_COLUMNS = ("goal_id", "period_start", "period_end", "count")
#: The most period counters one statement moves; a pass that moves more sends several.
PERIODS_PER_STATEMENT = 32
_BUMP_PERIODS: dict[int, Prepared] = {}


def _bump_periods(rows: int) -> Prepared:
    """``rows`` period counters moved by one upsert (row ``i`` binds ``<column>_<i>``), in the
    order given, so that their row locks are taken in it; returning each one's count and whether
    it was reached already."""
    found = _BUMP_PERIODS.get(rows)
    if found is None:
        values = [_binds(PERIODS, PERIOD_COLUMNS, f"_{row}") for row in range(rows)]
        found = _BUMP_PERIODS[rows] = Prepared(
            lambda dialect: _bump(dialect, PERIODS, ("goal_id", "period_start"), values).returning(
                PERIODS.c.goal_id, PERIODS.c.period_start, PERIODS.c.count, PERIODS.c.reached_at
            )
        )
    return found


#: A contributor's count moved (one ``executemany`` for the pass).
BUMP_CONTRIBUTION = Prepared(
    lambda dialect: _bump(
        dialect,
        CONTRIBUTIONS,
        ("goal_id", "period_start", "member_id"),
        [_binds(CONTRIBUTIONS, ("goal_id", "period_start", "member_id", "count"))],
    )
)


class _Goal(NamedTuple):
    """A row of :func:`_goals_of`, its dates read."""

    member_id: int
    id: int
    group_id: int
    activity_type: str
    target: int
    starts_at: datetime
    ends_at: datetime | None
    recurring: str | None


def _run(conn: sa.Connection, statement: Prepared, values: Mapping[str, Any]) -> list[Any]:
    """Run a prepared statement; its rows, as the driver gives them (read dates with :func:`_dates`)."""
    return list(conn.exec_driver_sql(statement.compiled(conn.dialect).sql, statement.parameters(conn.dialect, values)))


_DATE_READERS: dict[str, Callable[[Any], Any]] = {}


def _dates(dialect: sa.Dialect) -> Callable[[Any], Any]:
    """The driver's date (a string on SQLite, naive on PostgreSQL) as an aware UTC datetime; ``None`` stays."""
    read = _DATE_READERS.get(dialect.name)
    if read is None:
        made = _WHEN.dialect_impl(dialect).result_processor(dialect, None)
        assert made is not None
        read = _DATE_READERS[dialect.name] = made
    return read


def _goals(conn: sa.Connection, acted: Sequence[ActivityView]) -> list[_Goal]:
    """The (member, goal) pairs the activities may count toward: one read."""
    moments = [a.occurred_at for a in acted]
    window = {"first": min(moments), "last": max(moments)}
    actors = sorted({a.actor_id for a in acted if a.actor_id is not None})
    types = sorted({a.type for a in acted})
    if len(actors) == 1 and len(types) == 1:
        found = _run(conn, GOALS_OF_ONE, window | {"m": actors[0], "t": types[0]})
    else:
        found = _run(conn, GOALS_OF_MANY, window | {"members": actors, "types": types})
    read = _dates(conn.dialect)
    return [
        _Goal(member_id, goal_id, group_id, kind, target, read(starts_at), read(ends_at), recurring)
        for member_id, goal_id, group_id, kind, target, starts_at, ends_at, recurring in found
    ]


def count(tx: Transaction, activities: Sequence[ActivityView], zone: tzinfo) -> None:
    """Move the goal counters for a pipeline pass's activities (periods in the community's
    ``zone``); stamp and announce what they reach."""
    acted = [a for a in activities if a.actor_id is not None and not a.type.startswith(RESERVED_PREFIX)]
    if not acted:
        return
    found = _goals(tx.conn, acted)
    if not found:
        return
    by_member: dict[tuple[int, str], list[_Goal]] = defaultdict(list)
    for row in found:
        by_member[(row.member_id, row.activity_type)].append(row)
    periods: dict[tuple[int, datetime], list[Any]] = {}
    shares: dict[tuple[int, datetime, int], int] = defaultdict(int)
    for activity in acted:
        assert activity.actor_id is not None
        for goal in by_member.get((activity.actor_id, activity.type), ()):
            period = period_of(goal.starts_at, goal.ends_at, goal.recurring, activity.occurred_at, zone)
            if period is None:
                continue
            start = period[0].astimezone(UTC)
            entry = periods.setdefault((goal.id, start), [goal, period[1], 0])
            entry[2] += 1
            shares[(goal.id, start, activity.actor_id)] += 1
    if not periods:
        return
    conn = tx.conn
    read = _dates(conn.dialect)
    ordered = sorted(periods.items(), key=lambda item: item[0])
    reached: list[tuple[_Goal, datetime, datetime | None, int]] = []
    for first in range(0, len(ordered), PERIODS_PER_STATEMENT):
        chunk = ordered[first : first + PERIODS_PER_STATEMENT]
        values = {
            f"{name}_{row}": value
            for row, ((goal_id, start), (_, end, k)) in enumerate(chunk)
            for name, value in zip(PERIOD_COLUMNS, (goal_id, start, end, k), strict=True)
        }
        # RETURNING promises no order: the rows are matched by their keys.
        moved = {
            (goal_id, read(start)): (total, reached_at)
            for goal_id, start, total, reached_at in _run(conn, _bump_periods(len(chunk)), values)
        }
        for (goal_id, start), (goal, end, _) in chunk:
            total, reached_at = moved[(goal_id, start)]
            if reached_at is None and total >= goal.target:
                reached.append((goal, start, end, int(total)))
    conn.exec_driver_sql(
        BUMP_CONTRIBUTION.compiled(conn.dialect).sql,
        [
            BUMP_CONTRIBUTION.parameters(conn.dialect, {"goal_id": g, "period_start": s, "member_id": m, "count": k})
            for (g, s, m), k in sorted(shares.items())
        ],
    )
    for goal, start, end, total in reached:
        _reach(tx, goal, start, end, total)


def _reach(tx: Transaction, goal: _Goal, start: datetime, end: datetime | None, total: int) -> None:
    """Stamp the period reached (once), write the group's badge row and announce it."""
    stamped = tx.conn.execute(
        PERIODS.update()
        .where(PERIODS.c.goal_id == goal.id, PERIODS.c.period_start == start, PERIODS.c.reached_at.is_(None))
        .values(reached_at=tx.now)
    ).rowcount
    if stamped != 1:
        return
    row = tx.conn.execute(
        sa.select(GOALS.c.name, GOALS.c.badge, GROUPS.c.slug, GROUPS.c.name.label("group_name"))
        .join(GROUPS, GROUPS.c.id == GOALS.c.group_id)
        .where(GOALS.c.id == goal.id)
    ).one()
    badge_row = upsert(tx.dialect, BADGES, ("goal_id", "period_start"))
    tx.conn.execute(
        badge_row.values(group_id=goal.group_id, goal_id=goal.id, period_start=start, badge=row.badge,
                         reached_at=tx.now)
    )  # fmt: skip
    tx.announce(
        "group_goal_reached",
        reached=GroupGoalReached(goal.group_id, row.slug, row.group_name, goal.id, row.name, goal.activity_type,
                                 goal.target, total, start, end, tx.now, row.badge),
    )  # fmt: skip
