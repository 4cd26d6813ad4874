"""Leaderboard movement: where each row of a board stood at the board's *baseline*, so a page
can say "▲ 3 since last week".

A week or month board compares with the previous period's board as it ended (this week's rank
against last week's final one); the all-time board with itself when this week began (the
balance less this week's points). A rank then is 1 + the listed members above, as on the board.

:func:`previous_ranks` answers for a page's members at once. Its fast way is a histogram of the
baseline's scores that :func:`close_periods` keeps in ``guildkit_score_counts`` (the job
``guildkit.leaderboards.close``, run every few minutes: the first run after a period ends sums
it from the ledger): one statement, an index read per member, as the board stood then. Until
that histogram is there it computes live, among the members listed now: exact, but reading the
ledger rows of everyone who earned since the baseline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.leaderboards import BALANCES, KEYS, LEDGER, LISTED, PERIODS, SCORES, Board, first_days
from guildkit.models import Member
from guildkit.models.scores import BLOCK

#: The job that keeps the baselines' histograms (registered by the community plugin).
CLOSE_JOB = "guildkit.leaderboards.close"
#: The PostgreSQL advisory lock :func:`close_periods` holds for its transaction.
_CLOSE_LOCK = 0x67_6B_6C_62  # "gklb"


def _sum(*where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.coalesce(sa.func.sum(SCORES.c.members), 0)).where(*where).scalar_subquery()


@dataclass(frozen=True)
class Baseline:
    """What a board's ranks are compared with: the board as it stood at ``at``, the start of its
    period (of the current week for the all-time board).

    For a week or month board that is the previous period's board as it ended: its points are
    the ledger rows dated in ``[start, at)``, its key ``key``. For the all-time board it is
    everyone's balance less what they earned this week (``key``: this week's key).
    """

    period: str
    at: datetime
    start: datetime | None
    key: int

    @classmethod
    def of(cls, board: Board, now: datetime, zone: tzinfo) -> Baseline:
        week, month = first_days(now.astimezone(zone).date())
        if board.period == "all":
            return cls("all", _midnight(week, zone), None, week.toordinal())
        first, previous = (
            (week, week - timedelta(days=7))
            if board.period == "week"
            else (month, (month - timedelta(days=1)).replace(day=1))
        )
        return cls(board.period, _midnight(first, zone), _midnight(previous, zone), previous.toordinal())

    @property
    def params(self) -> dict[str, Any]:
        return {"key": self.key, "at": self.at} | ({} if self.start is None else {"start": self.start})


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _counts(period: str, key: Any, width: int) -> sa.ColumnElement[bool]:
    """SQL: the histogram rows of ``period``/``key`` at ``width``."""
    return sa.and_(
        SCORES.c.point_type == sa.bindparam("pt"),
        SCORES.c.period == period,
        SCORES.c.period_key == key,
        SCORES.c.width == width,
    )


def _above_in(period: str, key: Any, value: Any) -> sa.ColumnElement[int]:
    """How many listed members the histogram of ``period``/``key`` has above ``value`` (SQL)."""
    block = value - ((value % BLOCK) + BLOCK) % BLOCK
    return _sum(_counts(period, key, BLOCK), SCORES.c.points > block) + _sum(
        _counts(period, key, 1), SCORES.c.points > value, SCORES.c.points < block + BLOCK
    )


def _earned_before(member: Any, point_type: Any) -> sa.Exists:
    """SQL: the member has a ledger row of the type dated before the baseline (was on its board)."""
    return sa.exists().where(
        LEDGER.c.member_id == member, LEDGER.c.point_type == point_type, LEDGER.c.created_at < sa.bindparam("at")
    )


def _then() -> sa.ColumnElement[int]:
    """SQL: a balance row's all-time points at the baseline (its balance less this week's)."""
    return BALANCES.c.balance - sa.case((BALANCES.c.week_key == sa.bindparam("key"), BALANCES.c.week_points), else_=0)


def _page(period: str) -> sa.CTE:
    """The members ``ids`` who were on the board at the baseline, with their points then (``v``)."""
    ids: sa.BindParameter[int] = sa.bindparam("ids", expanding=True)
    if period == "all":
        return (
            sa.select(BALANCES.c.member_id, _then().label("v"))
            .where(
                BALANCES.c.point_type == sa.bindparam("pt"),
                BALANCES.c.member_id.in_(ids),
                _earned_before(BALANCES.c.member_id, BALANCES.c.point_type),
            )
            .cte("page")
        )
    return (
        sa.select(LEDGER.c.member_id, sa.func.sum(LEDGER.c.amount).label("v"))
        .where(_in_previous(), LEDGER.c.member_id.in_(ids))
        .group_by(LEDGER.c.member_id)
        .cte("page")
    )


def _in_previous() -> sa.ColumnElement[bool]:
    """SQL: a ledger row of the board's type dated in the previous period ``[start, at)``."""
    return sa.and_(
        LEDGER.c.point_type == sa.bindparam("pt"),
        LEDGER.c.created_at >= sa.bindparam("start"),
        LEDGER.c.created_at < sa.bindparam("at"),
    )


def _build_live(period: str) -> sa.Select[Any]:
    """One statement: for the members ``ids``, their points and how many listed members were
    above them at the baseline (those not on the board then are left out).

    The histogram already holds most of those above. For a week or month, last period's keeps
    the members whose balance row still holds that period (they have not earned since); the
    others (their row moved on to this period, or a rebuild cleared it) are added from the
    ledger, their rows dated in that period summed. For all time, today's histogram is right for
    everyone but this week's earners, who are moved from their balance to their balance less
    this week's points. Those corrections are one running sum over their distinct values, so the
    cost grows with the members who earned since the baseline, never with the whole board.
    """
    pt: sa.BindParameter[str] = sa.bindparam("pt")
    page = _page(period)
    if period == "all":
        movers = (
            sa.select(BALANCES.c.member_id, BALANCES.c.balance.label("now"), _then().label("v"))
            .join(Member, Member.id == BALANCES.c.member_id)
            .where(BALANCES.c.point_type == pt, BALANCES.c.week_key == sa.bindparam("key"), LISTED)
            .cte("movers")
        )
        # One whose first points came this week was not on the board then (their value then is
        # 0): asked of the ledger only for a value of 0, the only one it can be.
        deltas = sa.union_all(
            sa.select(movers.c.now.label("v"), sa.literal(-1).label("d")),
            sa.select(movers.c.v, sa.case((movers.c.v != 0, 1), (_earned_before(movers.c.member_id, pt), 1), else_=0)),
            sa.select(page.c.v, sa.literal(0)),
        ).subquery("deltas")
        histogram_key: Any = 0
    else:
        # Summed per member first: the balance and the member are then read once a member, not
        # once a ledger row.
        sums = (
            sa.select(LEDGER.c.member_id, sa.func.sum(LEDGER.c.amount).label("v"))
            .where(_in_previous())
            .group_by(LEDGER.c.member_id)
            .subquery("sums")
        )
        movers = (
            sa.select(sums.c.v)
            .join(BALANCES, sa.and_(BALANCES.c.member_id == sums.c.member_id, BALANCES.c.point_type == pt))
            .join(Member, Member.id == sums.c.member_id)
            .where(KEYS[period] != sa.bindparam("key"), LISTED)
            .cte("movers")
        )
        deltas = sa.union_all(
            sa.select(movers.c.v, sa.literal(1).label("d")), sa.select(page.c.v, sa.literal(0))
        ).subquery("deltas")
        histogram_key = sa.bindparam("key")
    values = sa.select(deltas.c.v, sa.func.sum(deltas.c.d).label("d")).group_by(deltas.c.v).subquery("values")
    # The values are distinct: the running sum down to one, less its own, is what is above it.
    running = sa.func.sum(values.c.d).over(order_by=values.c.v.desc()) - values.c.d
    moved_above = sa.select(values.c.v, running.label("above")).subquery("moved_above")
    above = moved_above.c.above + _above_in(period, histogram_key, page.c.v)
    return sa.select(page.c.member_id, page.c.v, above).join(moved_above, moved_above.c.v == page.c.v)


#: Where :func:`close_periods` keeps each board's histogram as it stood at its baseline, beside
#: the live ones in ``guildkit_score_counts`` (its ``period`` column: 8 letters at most), under
#: the baseline's key. Its row of width 0 says it is complete (and whom it left off).
FINAL = {"all": "all-fin", "week": "week-fin", "month": "mon-fin"}


def _build_kept(period: str) -> sa.Select[Any]:
    """One statement: for the members ``ids``, their points and how many were above them at the
    baseline in the histogram :func:`close_periods` kept, NULL while it has not."""
    page = _page(period)
    kept = sa.exists().where(
        SCORES.c.point_type == sa.bindparam("pt"),
        SCORES.c.period == FINAL[period],
        SCORES.c.period_key == sa.bindparam("key"),
        SCORES.c.width == 0,
    )
    # Those above the page's best value, once; then, for each row, the exact scores between its
    # value and that one: few, for the page's values are near each other or near the top.
    top = sa.select(sa.func.max(page.c.v)).scalar_subquery()
    key: sa.BindParameter[int] = sa.bindparam("key")
    between = _sum(_counts(FINAL[period], key, 1), SCORES.c.points > page.c.v, SCORES.c.points <= top)
    above = sa.case((kept, _above_in(FINAL[period], key, top) + between), else_=sa.null())
    return sa.select(page.c.member_id, page.c.v, above)


LIVE = {period: _build_live(period) for period in PERIODS}
KEPT = {period: _build_kept(period) for period in PERIODS}


def previous_ranks(session: Session, board: Board, baseline: Baseline, member_ids: Iterable[int]) -> dict[int, int]:
    """Each of ``member_ids``' rank on ``board`` at ``baseline``; a member who was not on the
    board then is left out ("new").

    One statement once :func:`close_periods` kept the baseline's histogram (the board as it
    stood then, among the members listed then): an index read per member. Until then (the
    minutes after a period ends, or where the periodic jobs do not run) a second one computes
    them live, among the members listed today: exact, but its cost grows with the members who
    earned since the baseline.
    """
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    params = {"pt": board.point_type, "ids": wanted} | baseline.params
    rows = session.execute(KEPT[board.period], params).all()
    if any(above is None for _, _, above in rows):
        rows = session.execute(LIVE[board.period], params).all()
    return {int(m): 1 + int(above) for m, _, above in rows}


def close_periods(conn: sa.Connection, now: datetime, zone: tzinfo, point_types: Iterable[str]) -> dict[str, int]:
    """Keep each board's histogram as it stood at its baseline (last week's and last month's
    final boards, the all-time board when this week began), and drop the ones before; returns
    how many members each histogram it wrote counts (none when all were there and current).

    Run by the ``guildkit.leaderboards.close`` job every few minutes: the first run after a
    period ends sums the period from the ledger (one pass over its rows), the others find the
    histograms there. A histogram counts the members listed when it was written; when the
    members left off the boards are no longer those (someone opted out, was suspended or
    erased), the next run writes it again, so they stop counting in anyone's rank then.
    Run it in a write transaction.
    """
    if conn.dialect.name == "postgresql":  # two runs at once: the second waits, then finds them kept
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_CLOSE_LOCK)))
    # Who is left off, in two numbers: how many, and the sum of their ids (kept in the row of
    # width 0, as its points and members).
    unlisted = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Member.id), 0)).where(sa.not_(LISTED))
    ).one()
    left_off = (int(unlisted[0]), int(unlisted[1]))
    done: dict[str, int] = {}
    for point_type in sorted(point_types):
        for period in PERIODS:
            baseline = Baseline.of(Board.of(point_type, period, now, zone), now, zone)
            mine = sa.and_(SCORES.c.point_type == point_type, SCORES.c.period == FINAL[period])
            kept = conn.execute(
                sa.select(SCORES.c.points, SCORES.c.members).where(
                    mine, SCORES.c.period_key == baseline.key, SCORES.c.width == 0
                )
            ).first()
            if kept is not None and (int(kept[0]), int(kept[1])) == left_off:
                continue
            conn.execute(SCORES.delete().where(mine))
            done[f"{point_type}/{period}"] = _keep(conn, point_type, period, baseline, left_off)
    return done


def _keep(conn: sa.Connection, point_type: str, period: str, baseline: Baseline, left_off: tuple[int, int]) -> int:
    params = {"pt": point_type} | baseline.params
    if period == "all":
        on_board = sa.or_(
            BALANCES.c.week_key != baseline.key,
            _then() != 0,
            _earned_before(BALANCES.c.member_id, BALANCES.c.point_type),
        )
        then = (
            sa.select(_then().label("v"))
            .join(Member, Member.id == BALANCES.c.member_id)
            .where(BALANCES.c.point_type == point_type, LISTED, on_board)
            .subquery("then")
        )
    else:
        then = (
            sa.select(sa.func.sum(LEDGER.c.amount).label("v"))
            .join(Member, Member.id == LEDGER.c.member_id)
            .where(_in_previous(), LISTED)
            .group_by(LEDGER.c.member_id)
            .subquery("then")
        )
    columns = ["point_type", "period", "period_key", "width", "points", "members"]
    key = (sa.literal(point_type), sa.literal(FINAL[period]), sa.literal(baseline.key))
    exact = sa.select(*key, sa.literal(1), then.c.v, sa.func.count()).group_by(then.c.v)
    conn.execute(SCORES.insert().from_select(columns, exact), params)
    # The blocks and the total from the exact scores just written: one pass over the period.
    written = sa.and_(
        SCORES.c.point_type == point_type,
        SCORES.c.period == FINAL[period],
        SCORES.c.period_key == baseline.key,
        SCORES.c.width == 1,
    )
    # The width written out: PostgreSQL tells a GROUP BY expression from the selected one by its
    # text, and two bound parameters read as two expressions.
    size: sa.ColumnElement[int] = sa.literal_column(str(BLOCK))
    block = SCORES.c.points - ((SCORES.c.points % size) + size) % size
    blocks = sa.select(*key, sa.literal(BLOCK), block, sa.func.sum(SCORES.c.members)).where(written).group_by(block)
    conn.execute(SCORES.insert().from_select(columns, blocks))
    members = int(conn.scalar(sa.select(sa.func.coalesce(sa.func.sum(SCORES.c.members), 0)).where(written)) or 0)
    conn.execute(
        SCORES.insert().values(
            point_type=point_type,
            period=FINAL[period],
            period_key=baseline.key,
            width=0,
            points=left_off[0],
            members=left_off[1],
        )
    )
    return members
