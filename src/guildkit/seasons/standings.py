"""A season's standings, kept from the ledger by an incremental, idempotent refresh, and read as
a leaderboard.

How a refresh stays exact and cheap:

* **What is new** is found by ledger id: each season remembers the highest id it took in
  (``ledger_id``). A season never built is summed once from the ledger's
  ``(point_type, created_at)`` index over its range; after that, a refresh reads only the rows
  above the lowest watermark (by primary key, in batches) and adds each to the seasons it
  belongs to. The ledger is append-only (corrections are reversal rows), so adding is exact.
* **Which ids are committed**: on SQLite the refresh holds the write lock, so every id up to the
  maximum is. On PostgreSQL a transaction can commit a lower id after a higher one is visible,
  so the maximum is read while holding a ``SHARE`` lock on the ledger, which waits for the
  transactions writing it to end (giving up after a timeout: the standings stay as they are).
* **What counts**: rows of the season's point type whose ``created_at`` is in ``[starts_at,
  ends_at)`` (points are dated when earned, a reversal when made), except the expiry rows
  (rule ``guildkit.expiry``): points expiring later must not change a season's standings.
* **Closed seasons** are never refreshed again.

Reading: a page is the standings rows through ``ix_guildkit_season_standings_rank`` joined to
the members (only those :data:`guildkit.leaderboards.LISTED`), then two counts for the first
row's rank; ties share a rank. A closed season reads the ranks frozen at closing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guildkit.expiry import EXPIRE
from guildkit.leaderboards import LISTED, Standing
from guildkit.models import LedgerEntry, Member, table_of
from guildkit.seasons.models import Season, SeasonStanding

LEDGER = table_of(LedgerEntry)
SEASONS = table_of(Season)
STANDINGS = table_of(SeasonStanding)
MEMBERS = table_of(Member)

#: Ledger rows written by point expiry: never part of a season's standings.
EXPIRY_RULE = EXPIRE
#: Ledger rows read at once by an incremental refresh.
BATCH = 20_000


# -- which ledger ids are committed ---------------------------------------------------------


def max_ledger_id(conn: sa.Connection) -> int:
    return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.max(LEDGER.c.id), 0))) or 0)


def settled_horizon(engine: sa.Engine, timeout: str) -> int | None:
    """The highest ledger id once every transaction writing the ledger has ended (PostgreSQL),
    or ``None`` when writers held it past ``timeout``. Other databases: ``0`` (read it in the
    write transaction, which holds the lock)."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{timeout}'")
            conn.exec_driver_sql(f"LOCK TABLE {LEDGER.name} IN SHARE MODE")
        except sa.exc.OperationalError:
            conn.rollback()
            return None
        found = max_ledger_id(conn)
        conn.rollback()
        return found


# -- refreshing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Range:
    id: int
    point_type: str
    starts_at: datetime
    ends_at: datetime
    watermark: int | None


def refresh(conn: sa.Connection, season_ids: Sequence[int], horizon: int, now: datetime) -> int:
    """Bring the open seasons among ``season_ids`` up to ledger id ``horizon`` (``0``: the
    current maximum, for a caller holding the write lock); returns the ledger rows taken in."""
    if not season_ids:
        return 0
    rows = conn.execute(
        sa.select(SEASONS.c.id, SEASONS.c.point_type, SEASONS.c.starts_at, SEASONS.c.ends_at, SEASONS.c.ledger_id)
        .where(SEASONS.c.id.in_(sorted(season_ids)), SEASONS.c.closed_at.is_(None))
        .order_by(SEASONS.c.id)
        .with_for_update()  # concurrent refreshes take turns; the watermarks read are the latest
    ).all()
    horizon = horizon or max_ledger_id(conn)
    due = [_Range(*row) for row in rows if row.ledger_id is None or row.ledger_id < horizon]
    taken = 0
    for season in (s for s in due if s.watermark is None):
        taken += _build(conn, season, horizon)
    taken += _add_new(conn, [s for s in due if s.watermark is not None], horizon)
    # Only the seasons behind move: one a later refresh took further must not go back.
    if due:
        conn.execute(SEASONS.update().where(SEASONS.c.id.in_([s.id for s in due])).values(ledger_id=horizon))
    if rows:
        conn.execute(SEASONS.update().where(SEASONS.c.id.in_([row.id for row in rows])).values(refreshed_at=now))
    return taken


def _counted(season: _Range) -> sa.ColumnElement[bool]:
    return sa.and_(
        LEDGER.c.point_type == season.point_type,
        LEDGER.c.created_at >= season.starts_at,
        LEDGER.c.created_at < season.ends_at,
        LEDGER.c.rule != EXPIRY_RULE,
    )


def _build(conn: sa.Connection, season: _Range, horizon: int) -> int:
    """The season's standings from scratch, through the ledger's (point_type, created_at) index."""
    conn.execute(STANDINGS.delete().where(STANDINGS.c.season_id == season.id))
    totals = conn.execute(
        sa.select(LEDGER.c.member_id, sa.func.sum(LEDGER.c.amount), sa.func.count())
        .where(_counted(season), LEDGER.c.id <= horizon)
        .group_by(LEDGER.c.member_id)
    ).all()
    if totals:
        conn.execute(
            sa.insert(STANDINGS),
            [{"season_id": season.id, "member_id": m, "points": int(p), "rank": None} for m, p, _ in totals],
        )
    return sum(int(n) for _, _, n in totals)


def _add_new(conn: sa.Connection, seasons: list[_Range], horizon: int) -> int:
    """Add the ledger rows above each season's watermark, read once for all of them."""
    if not seasons:
        return 0
    start = min(s.watermark or 0 for s in seasons)
    by_type: dict[str, list[_Range]] = defaultdict(list)
    for season in seasons:
        by_type[season.point_type].append(season)
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    taken = 0
    select = sa.select(
        LEDGER.c.id, LEDGER.c.member_id, LEDGER.c.point_type, LEDGER.c.amount, LEDGER.c.created_at, LEDGER.c.rule
    )
    last = start
    while last < horizon:
        batch = conn.execute(
            select.where(LEDGER.c.id > last, LEDGER.c.id <= horizon).order_by(LEDGER.c.id).limit(BATCH)
        ).all()
        if not batch:
            break
        for row in batch:
            if row.rule == EXPIRY_RULE:
                continue
            for season in by_type.get(row.point_type, ()):
                if row.id > (season.watermark or 0) and season.starts_at <= row.created_at < season.ends_at:
                    deltas[(season.id, row.member_id)] += row.amount
                    taken += 1
        last = batch[-1].id
    if deltas:
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(STANDINGS)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["season_id", "member_id"], set_={"points": STANDINGS.c.points + insert.excluded.points}
            ),
            [{"season_id": s, "member_id": m, "points": p, "rank": None} for (s, m), p in sorted(deltas.items())],
        )
    return taken


def recompute(conn: sa.Connection, season_id: int) -> dict[int, int]:
    """Each member's points in the season summed from the whole ledger (to check the standings)."""
    row = conn.execute(
        sa.select(
            SEASONS.c.id, SEASONS.c.point_type, SEASONS.c.starts_at, SEASONS.c.ends_at, SEASONS.c.ledger_id
        ).where(SEASONS.c.id == season_id)
    ).one()
    season = _Range(*row)
    where = [_counted(season)] if season.watermark is None else [_counted(season), LEDGER.c.id <= season.watermark]
    totals = conn.execute(
        sa.select(LEDGER.c.member_id, sa.func.sum(LEDGER.c.amount)).where(*where).group_by(LEDGER.c.member_id)
    ).all()
    return {int(m): int(p) for m, p in totals}


# -- freezing -------------------------------------------------------------------------------


def freeze_ranks(conn: sa.Connection, season_id: int) -> int:
    """Write the final rank of every listed member with points (ties share a rank); returns how
    many were ranked. Run in the closing transaction, after the last refresh."""
    rows = conn.execute(
        sa.select(STANDINGS.c.member_id, STANDINGS.c.points)
        .join(Member, Member.id == STANDINGS.c.member_id)
        .where(STANDINGS.c.season_id == season_id, STANDINGS.c.points > 0, LISTED)
        .order_by(STANDINGS.c.points.desc(), STANDINGS.c.member_id)
    ).all()
    ranked = []
    rank, previous = 0, None
    for index, row in enumerate(rows, start=1):
        if row.points != previous:
            rank, previous = index, row.points
        ranked.append({"s": season_id, "m": row.member_id, "r": rank})
    if ranked:
        conn.execute(
            STANDINGS.update()
            .where(STANDINGS.c.season_id == sa.bindparam("s"), STANDINGS.c.member_id == sa.bindparam("m"))
            .values(rank=sa.bindparam("r")),
            ranked,
        )
    return len(ranked)


# -- reading --------------------------------------------------------------------------------


def _board(season_id: int, closed: bool) -> sa.Select[Any]:
    on_board = [STANDINGS.c.season_id == season_id, STANDINGS.c.points > 0]
    # A closed season shows its frozen ranks; a member who has since left the boards is hidden.
    listed = [STANDINGS.c.rank.is_not(None), MEMBERS.c.leaderboard_opt_out == sa.false()] if closed else [LISTED]
    return (
        sa.select(
            STANDINGS.c.member_id, MEMBERS.c.user_id, MEMBERS.c.display_name, STANDINGS.c.points, STANDINGS.c.rank
        )
        .join(MEMBERS, MEMBERS.c.id == STANDINGS.c.member_id)
        .where(*on_board, *listed)
    )


def _above(conn: sa.Connection, season_id: int, points: int, *, closed: bool, or_equal: bool = False) -> int:
    """How many ranked members have more (or as many) points."""
    where = [
        STANDINGS.c.season_id == season_id,
        STANDINGS.c.points >= points if or_equal else STANDINGS.c.points > points,
    ]
    if closed:
        where.append(STANDINGS.c.rank.is_not(None))
    else:
        where += [STANDINGS.c.points > 0, LISTED]
    query = sa.select(sa.func.count()).select_from(STANDINGS.join(MEMBERS, MEMBERS.c.id == STANDINGS.c.member_id))
    return int(conn.scalar(query.where(*where)) or 0)


def page(
    conn: sa.Connection, season_id: int, closed: bool, limit: int, after: tuple[int, int] | None
) -> list[Standing]:
    """Up to ``limit`` standings best first, after ``(points, member_id)`` of the last row seen."""
    rows_query = _board(season_id, closed)
    if after is not None:
        points, member = after
        rows_query = rows_query.where(
            sa.or_(STANDINGS.c.points < points, sa.and_(STANDINGS.c.points == points, STANDINGS.c.member_id > member))
        )
    rows = conn.execute(rows_query.order_by(STANDINGS.c.points.desc(), STANDINGS.c.member_id).limit(limit)).all()
    if not rows:
        return []
    if closed:
        return [Standing(int(r.rank), r.member_id, r.user_id, r.display_name, int(r.points)) for r in rows]
    first = int(rows[0].points)
    above = _above(conn, season_id, first, closed=False)
    at_or_above = _above(conn, season_id, first, closed=False, or_equal=True)
    found = []
    for index, row in enumerate(rows):
        value = int(row.points)
        if value == first:
            rank = 1 + above
        else:
            # Everyone with the first row's score or more, and the rows between on this page.
            rank = 1 + at_or_above + sum(1 for r in rows[:index] if first > r.points > value)
        found.append(Standing(rank, row.member_id, row.user_id, row.display_name, value))
    return found


def standing_of(conn: sa.Connection, season_id: int, closed: bool, member: Member) -> Standing:
    """Where ``member`` stands (listed or not: where they would be among those listed)."""
    row = conn.execute(
        sa.select(STANDINGS.c.points, STANDINGS.c.rank).where(
            STANDINGS.c.season_id == season_id, STANDINGS.c.member_id == member.id
        )
    ).first()
    points = int(row.points) if row else 0
    if closed and row is not None and row.rank is not None:
        rank = int(row.rank)
    else:
        rank = 1 + _above(conn, season_id, points, closed=closed)
    return Standing(rank, member.id, member.user_id, member.display_name, points)


def window(conn: sa.Connection, season_id: int, closed: bool, me: Standing, limit: int) -> list[Standing]:
    """About ``limit`` standings around ``me``: up to half above, then ``me``'s place and below."""
    board = _board(season_id, closed).subquery()
    above = conn.execute(
        sa.select(board.c.member_id, board.c.points)
        .where(
            sa.or_(
                board.c.points > me.points,
                sa.and_(board.c.points == me.points, board.c.member_id < me.member_id),
            )
        )
        .order_by(board.c.points.asc(), board.c.member_id.desc())
        .limit((limit - 1) // 2)
    ).all()
    start = (int(above[-1].points), int(above[-1].member_id) - 1) if above else (me.points, me.member_id - 1)
    return page(conn, season_id, closed, limit, start)
