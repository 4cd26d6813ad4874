"""Leaderboards by point type and period (all time, this week, this month), as index reads.

Each balance row keeps its all-time points and the points of its member's latest week and month
with any (``week_key``/``week_points``, ``month_key``/``month_points``), folded in by the write
transaction (:func:`fold`): a ledger row counts toward the week and month of its ``created_at``
in the community's time zone (points are dated when they were earned, reversals when they were
made). Weeks start on Monday and months on the 1st, at local midnight. A period's key is the
ordinal of its first day, so "this week's board" is the balance rows whose ``week_key`` is this
week's, read top down through an index.

A member's rank is 1 + the number of listed members with more points (ties share a rank, so "my
rank" agrees with the list). It is read from ``guildkit_score_counts``, the histogram the
database keeps beside the balances (:mod:`guildkit.models.scores`): a sum over at most the
blocks above and the exact scores within one block. A page of the board is two statements (its
rows, then the ranks of its first score), and the reader's own standing one more.

Only active members who have not opted out (``gk.privacy.set_leaderboard_opt_out``) and hold no
live grant of an excluded role (``GUILDKIT_LEADERBOARD_EXCLUDED_ROLES``, flagged on their roles
by :func:`exclude_roles` when the app starts) are on a board or counted in anyone's rank; a
member left out still sees their own standing (:func:`standing_of`): where they would be among
the members listed. Where each row stood before (its movement) is :mod:`guildkit.movement`.

Any board may be narrowed to some members (``among``: a condition on the balance rows' member,
such as the members of one group): its rows and ranks are then among those members only, ranks
counted over them rather than read from the histogram (a narrowed board is a small one).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from time import sleep
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.models import Balance, LedgerEntry, Member, Role, ScoreCount, table_of
from guildkit.models.scores import BLOCK, block_of, block_sql, count_excluded_roles, listed_sql

PERIODS = ("all", "week", "month")
#: Who is on a board and counted in ranks: active members, not opted out, with no excluded role.
LISTED = sa.and_(Member.status == "active", Member.leaderboard_opt_out == sa.false(), Member.excluded_roles == 0)

BALANCES = table_of(Balance)
SCORES = table_of(ScoreCount)
LEDGER = table_of(LedgerEntry)
ROLES = table_of(Role)


@dataclass(frozen=True)
class Standing:
    rank: int
    member_id: int
    user_id: str
    name: str | None
    points: int


# -- periods --------------------------------------------------------------------------------


def first_days(day: date) -> tuple[date, date]:
    """The first days of ``day``'s week (a Monday) and month."""
    return day - timedelta(days=day.weekday()), day.replace(day=1)


def period_keys(moment: datetime, zone: tzinfo) -> tuple[int, int]:
    """The week and month keys of ``moment`` in ``zone``: ordinals of their first local days."""
    week, month = first_days(moment.astimezone(zone).date())
    return week.toordinal(), month.toordinal()


def fold(current: tuple[int, int, int, int], amount: int, keys: tuple[int, int]) -> tuple[int, int, int, int]:
    """``(week_key, week_points, month_key, month_points)`` after a ledger row of ``amount``
    dated in the periods ``keys``: a later period starts afresh, the same one adds up, and an
    earlier one (history recorded late) leaves the current period's points as they are."""
    week_key, week_points, month_key, month_points = current
    if keys[0] > week_key:
        week_key, week_points = keys[0], amount
    elif keys[0] == week_key:
        week_points += amount
    if keys[1] > month_key:
        month_key, month_points = keys[1], amount
    elif keys[1] == month_key:
        month_points += amount
    return week_key, week_points, month_key, month_points


@dataclass(frozen=True)
class Board:
    """One leaderboard: a point type over a period (its ``key``: 0 for all time)."""

    point_type: str
    period: str
    key: int
    #: When the period began (``None`` for all time), for showing.
    since: datetime | None

    @classmethod
    def of(cls, point_type: str, period: str, now: datetime, zone: tzinfo) -> Board:
        if period not in PERIODS:
            raise ValueError(f"no leaderboard period {period!r}")
        if period == "all":
            return cls(point_type, period, 0, None)
        week, month = first_days(now.astimezone(zone).date())
        first = week if period == "week" else month
        return cls(point_type, period, first.toordinal(), datetime.combine(first, time(), tzinfo=zone))

    @property
    def points(self) -> sa.ColumnElement[int]:
        """The balance column holding this board's points."""
        return POINTS[self.period]

    @property
    def rows(self) -> sa.ColumnElement[bool]:
        """The balance rows on this board (before the listed filter), for ad-hoc queries."""
        where = BALANCES.c.point_type == self.point_type
        key = KEYS.get(self.period)
        return where if key is None else sa.and_(where, key == self.key)

    @property
    def params(self) -> dict[str, Any]:
        return {"pt": self.point_type, "key": self.key}


POINTS = {"all": BALANCES.c.balance, "week": BALANCES.c.week_points, "month": BALANCES.c.month_points}
KEYS = {"week": BALANCES.c.week_key, "month": BALANCES.c.month_key}


# -- the statements, built once per period (building one costs more than running it) ----------


@dataclass(frozen=True)
class _Statements:
    first_page: sa.Select[Any]
    next_page: sa.Select[Any]
    ranks: sa.Select[Any]
    standing: sa.Select[Any]


def _sum(*where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.coalesce(sa.func.sum(SCORES.c.members), 0)).where(*where).scalar_subquery()


def _build(period: str, among: sa.ColumnElement[bool] | None = None) -> _Statements:
    points, key = POINTS[period], KEYS.get(period)
    on_board = BALANCES.c.point_type == sa.bindparam("pt")
    if key is not None:
        on_board = sa.and_(on_board, key == sa.bindparam("key"))
    if among is not None:
        on_board = sa.and_(on_board, among)

    def counts(width: int) -> sa.ColumnElement[bool]:
        return sa.and_(
            SCORES.c.point_type == sa.bindparam("pt"),
            SCORES.c.period == period,
            SCORES.c.period_key == sa.bindparam("key"),
            SCORES.c.width == width,
        )

    def listed(*where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
        """How many listed members of a narrowed board match ``where``: counted, not read from the histogram."""
        return (
            sa.select(sa.func.count())
            .select_from(BALANCES.join(Member, Member.id == BALANCES.c.member_id))
            .where(on_board, LISTED, *where)
            .scalar_subquery()
        )

    def above(value: Any, block: Any) -> sa.ColumnElement[int]:
        """How many listed members have more than ``value`` points (``block``: its block's start)."""
        if among is not None:
            return listed(points > value)
        return _sum(counts(BLOCK), SCORES.c.points > block) + _sum(
            counts(1), SCORES.c.points > value, SCORES.c.points < block + BLOCK
        )

    rows = (
        sa.select(BALANCES.c.member_id, Member.user_id, Member.display_name, points.label("points"))
        .join(Member, Member.id == BALANCES.c.member_id)
        .where(on_board, LISTED)
    )
    limit = sa.bindparam("limit", type_=sa.Integer())
    first_page = rows.order_by(points.desc(), BALANCES.c.member_id).limit(limit)
    # Two index seeks (the rest of the tie, then the lower scores) rather than one OR, which
    # the planners answer by walking the index from the top: slow deep in a big board.
    # The member side of the tie starts past the cursor too: else PostgreSQL may merge-join it
    # from the first member on (hundreds of ms deep in a big tie).
    after_member = sa.bindparam("after_member", type_=sa.BigInteger())
    tie = rows.where(
        points == sa.bindparam("after_points"), BALANCES.c.member_id > after_member, Member.id > after_member
    )
    lower = rows.where(points < sa.bindparam("after_points"))
    both = sa.union_all(
        sa.select(tie.order_by(BALANCES.c.member_id).limit(limit).subquery()),
        sa.select(lower.order_by(points.desc(), BALANCES.c.member_id).limit(limit).subquery()),
    ).subquery()
    next_page = sa.select(both).order_by(both.c.points.desc(), both.c.member_id).limit(limit)
    first = sa.bindparam("first", type_=sa.BigInteger())
    at = listed(points == first) if among is not None else _sum(counts(1), SCORES.c.points == first)
    ranks = sa.select(above(first, sa.bindparam("block")), at)
    mine = (
        sa.select(sa.func.coalesce(sa.func.max(points), 0).label("v"))
        .where(on_board, BALANCES.c.member_id == sa.bindparam("member"))
        .cte("mine")
    )
    value = mine.c.v
    standing = sa.select(value, above(value, value - ((value % BLOCK) + BLOCK) % BLOCK))
    return _Statements(first_page, next_page, ranks, standing)


STATEMENTS = {period: _build(period) for period in PERIODS}


# -- reading --------------------------------------------------------------------------------


def _statements(board: Board, among: sa.ColumnElement[bool] | None) -> _Statements:
    return STATEMENTS[board.period] if among is None else _build(board.period, among)


def standings(
    session: Session,
    board: Board,
    limit: int,
    after: tuple[int, int] | None,
    among: sa.ColumnElement[bool] | None = None,
) -> list[Standing]:
    """The board, best first; ``after`` is the (points, member_id) of the last row seen;
    ``among`` narrows it to some members (ranked among themselves).

    Two statements: the rows (up to ``limit`` + 1, through the board's index), then how many
    listed members are above the first row's score and how many share it; the other rows' ranks
    follow, because the rows between two scores on a page are all on it.
    """
    built = _statements(board, among)
    params = board.params | {"limit": limit + 1}
    if after is None:
        rows = session.execute(built.first_page, params).all()
    else:
        rows = session.execute(built.next_page, params | {"after_points": after[0], "after_member": after[1]}).all()
    if not rows:
        return []
    first = int(rows[0].points)
    above, at = session.execute(built.ranks, board.params | {"first": first, "block": block_of(first)}).one()
    found = []
    between = 0  # rows on this page with fewer points than the first row's and more than this one's
    previous = first
    for index, row in enumerate(rows):
        value = int(row.points)
        if value != previous:
            between = sum(1 for r in rows[:index] if first > r.points > value)
            previous = value
        rank = 1 + int(above) + (0 if value == first else int(at) + between)
        found.append(Standing(rank, row.member_id, row.user_id, row.display_name, value))
    return found


def standing_of(
    session: Session, board: Board, member: Member, among: sa.ColumnElement[bool] | None = None
) -> Standing:
    """Where ``member`` stands on ``board`` (listed or not; among ``among`` when given): one statement."""
    statement = _statements(board, among).standing
    points, above = session.execute(statement, board.params | {"member": member.id}).one()
    return Standing(1 + int(above), member.id, member.user_id, member.display_name, int(points))


def size(session: Session, board: Board) -> int:
    """How many listed members are on ``board``: the sum of the score blocks' counts, one query."""
    where = sa.and_(
        SCORES.c.point_type == board.point_type,
        SCORES.c.period == board.period,
        SCORES.c.period_key == board.key,
        SCORES.c.width == BLOCK,
    )
    return int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(SCORES.c.members), 0)).where(where)) or 0)


def window(
    session: Session, board: Board, me: Standing, limit: int, among: sa.ColumnElement[bool] | None = None
) -> list[Standing]:
    """About ``limit`` standings around ``me``: up to half of them above, then ``me``'s place and
    below (``me`` is among them when listed). One more row than ``limit`` means there are more."""
    wanted_above = (limit - 1) // 2
    above = session.execute(
        sa.select(BALANCES.c.member_id, board.points.label("points"))
        .join(Member, Member.id == BALANCES.c.member_id)
        .where(
            board.rows,
            LISTED,
            sa.true() if among is None else among,
            sa.or_(
                board.points > me.points,
                sa.and_(board.points == me.points, BALANCES.c.member_id < me.member_id),
            ),
        )
        .order_by(board.points.asc(), BALANCES.c.member_id.desc())
        .limit(wanted_above)
    ).all()
    start = (int(above[-1].points), int(above[-1].member_id) - 1) if above else (me.points, me.member_id - 1)
    return standings(session, board, limit, start, among)


# -- excluded roles -------------------------------------------------------------------------


def exclude_roles(conn: sa.Connection, slugs: Iterable[str]) -> int:
    """Flag exactly the roles ``slugs`` (those defined) as leaving their holders off the boards;
    the database's triggers move the members whose count of such roles changes. Run at start
    with ``GUILDKIT_LEADERBOARD_EXCLUDED_ROLES``, after the roles are written; returns how many
    roles changed (none, usually: then it is one read)."""
    wanted = sorted(set(slugs))
    flag = sa.case((ROLES.c.slug.in_(wanted), sa.true()), else_=sa.false()) if wanted else sa.false()
    changed = conn.execute(sa.select(ROLES.c.slug).where(ROLES.c.leaderboard_excluded != flag)).scalars().all()
    if not changed:
        return 0
    # Row by row in slug order: two starting apps wait for each other rather than deadlock.
    update = ROLES.update().where(ROLES.c.slug == sa.bindparam("s")).values(leaderboard_excluded=sa.bindparam("v"))
    rows = [{"s": slug, "v": slug in wanted} for slug in sorted(changed)]
    if conn.dialect.name != "postgresql":
        conn.execute(update, rows)
        return len(changed)
    # A flag change locks the grants, then their members; a write granting a role holds its
    # members, then wants the grants. Should they meet, this (rare) change waits briefly, gives
    # its locks back and tries again, rather than be the deadlock that sends the member's write
    # back to the start (run_write would retry it, but a member's write should not wait on this).
    previous = conn.exec_driver_sql("SHOW lock_timeout").scalar()
    conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
    for attempt in range(1, _FLAG_ATTEMPTS + 1):
        try:
            with conn.begin_nested():
                conn.execute(update, rows)
            break
        except sa.exc.OperationalError as exc:
            if "lock timeout" not in str(exc.orig) or attempt == _FLAG_ATTEMPTS:
                raise
            sleep(random.uniform(0.01, 0.05) * attempt)
    conn.execute(sa.select(sa.func.set_config("lock_timeout", previous, True)))
    return len(changed)


_FLAG_ATTEMPTS = 40


# -- rebuilding -----------------------------------------------------------------------------


def rebuild(conn: sa.Connection, now: datetime, zone: tzinfo) -> dict[str, int]:
    """Recompute every balance's week and month points of the current periods from the ledger,
    and the score histogram from the balances (after upgrading, or to check nothing drifted).

    Run it in a write transaction; returns how many balance rows, members (their count of
    excluded roles, from the grants and the roles' flags) and histogram rows it wrote.
    """
    week_key, month_key = period_keys(now, zone)
    excluded = count_excluded_roles(conn)
    updated = 0
    for key_column, points_column, key in (
        (BALANCES.c.week_key, BALANCES.c.week_points, week_key),
        (BALANCES.c.month_key, BALANCES.c.month_points, month_key),
    ):
        start = datetime.combine(date.fromordinal(key), time(), tzinfo=zone)
        in_period = sa.and_(
            LEDGER.c.member_id == BALANCES.c.member_id,
            LEDGER.c.point_type == BALANCES.c.point_type,
            LEDGER.c.created_at >= start,
        )
        total = sa.select(sa.func.coalesce(sa.func.sum(LEDGER.c.amount), 0)).where(in_period).scalar_subquery()
        has_rows = sa.exists().where(in_period)
        updated += conn.execute(
            BALANCES.update().values(
                {
                    key_column.name: sa.case((has_rows, key), else_=0),
                    points_column.name: sa.case((has_rows, total), else_=0),
                }
            )
        ).rowcount
    return {"balances": int(updated), "excluded_members": excluded, "score_counts": recount(conn)}


def recount(conn: sa.Connection) -> int:
    """Rebuild the score histogram from the balances as they are; returns the rows written."""
    conn.execute(SCORES.delete())
    member = "m"
    selects = []
    for period, key_sql, points_sql in (
        ("all", "0", "b.balance"),
        ("week", "b.week_key", "b.week_points"),
        ("month", "b.month_key", "b.month_points"),
    ):
        for width in (1, BLOCK):
            selects.append(
                f"SELECT b.point_type, '{period}', {key_sql}, {width}, "
                f"{block_sql(points_sql, width, conn.dialect.name)}, COUNT(*) "
                f"FROM guildkit_balances b JOIN guildkit_members {member} ON {member}.id = b.member_id "
                f"WHERE {listed_sql(member)}{'' if period == 'all' else f' AND {key_sql} > 0'} "
                "GROUP BY 1, 2, 3, 4, 5"
            )
    written = conn.exec_driver_sql(
        "INSERT INTO guildkit_score_counts (point_type, period, period_key, width, points, members) "
        + " UNION ALL ".join(selects)
    ).rowcount
    return int(written)
