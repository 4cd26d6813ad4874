"""Point expiry: points of a type with ``expires_after_days = N`` expire N days after they were earned.

Points are spent oldest first, so what expires is what a member still holds of points earned too
long ago: on local day D, everything of the balance beyond the points earned since the start of
day D - N + 1 (and not taken back since) expires. Points earned on 7 March 2026 with N = 365
expire at the start of 7 March 2027. A member who lost points in between (a downvote, a
retraction of something old) has less left to expire; one who earned nothing since loses the lot.

Expiring writes ledger rows, never deletes: the daily sweep (:func:`sweep`; the
``guildkit.expiry.sweep`` job, ``flask guildkit expiry run``) records one ``guildkit.expiry``
activity per member with something due (key ``guildkit.expiry:<type>:<day>:<user>``, so a second
sweep the same day writes nothing), and the :class:`ExpiryRule` turns it into a negative ledger
row, reason "expired: earned before <date>". Because the amount is worked out by the rule from
the ledger as it stands, replaying the history under other rules (:mod:`guildkit.replay`) expires
what those rules would have left to expire.

The ledger row is dated at the start of the window (the moment before which points expired),
not at the sweep: this week's and this month's boards count points earned in them, and points
earned long ago leaving do not make this week's total drop.

Balances and leaderboards never count expired points: a leaderboard, balance or expiry schedule
of an expiring type is read only after that day's sweep has run (:func:`bring_up_to_date`, once
a day per process, after one primary-key read).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.awards import Step
from guildkit.models import Balance, ExpirySweep, LedgerEntry, Member, table_of, utcnow
from guildkit.rules.base import AwardPoints, Outcome, RuleContext
from guildkit.store import upsert

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.metrics import Metric

#: The activity type of an expiry, and the name of the rule that writes it.
EXPIRE = "guildkit.expiry"
LEDGER = table_of(LedgerEntry)
BALANCES = table_of(Balance)
MEMBERS = table_of(Member)
SWEEPS = table_of(ExpirySweep)
_REVERSAL = LEDGER.alias("reversal")
#: Activities recorded per transaction by a sweep.
CHUNK = 1000


def window_start(day: date, days: int, zone: tzinfo) -> datetime:
    """On local ``day``, points earned before this moment have expired."""
    return datetime.combine(day - timedelta(days=days - 1), time(), tzinfo=zone)


def _live_gains(member: Any, point_type: Any, since: Any) -> sa.Select[Any]:
    """The sum of the positive ledger rows since ``since`` that were not reversed."""
    return sa.select(sa.func.coalesce(sa.func.sum(LEDGER.c.amount), 0)).where(
        LEDGER.c.member_id == member,
        LEDGER.c.point_type == point_type,
        LEDGER.c.amount > 0,
        LEDGER.c.created_at >= since,
        ~sa.exists().where(_REVERSAL.c.reverses_id == LEDGER.c.id),
    )


class ExpiryRule:
    """Turns a ``guildkit.expiry`` activity into the ledger row taking away what is due."""

    name = EXPIRE
    triggers = frozenset({EXPIRE})
    metrics: tuple[Metric, ...] = ()

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        activity = ctx.activity
        member, point_type = activity.target_id, activity.payload.get("point_type")
        since = _moment(activity.payload.get("since"))
        if member is None or not isinstance(point_type, str) or since is None or not isinstance(ctx, Step):
            return
        unit = ctx.unit
        kept = int(unit.conn.scalar(_live_gains(member, point_type, since)) or 0)
        # Gains of this same transaction, not written yet (a batch replayed in one).
        kept += sum(
            row["amount"]
            for row in unit.ledger_rows
            if row["member_id"] == member
            and row["point_type"] == point_type
            and row["amount"] > 0
            and row["reverses_id"] is None
            and row["created_at"] >= since
        )
        due = ctx.balance(member, point_type) - kept
        if due > 0:
            when = activity.payload.get("earned_before", f"{since:%Y-%m-%d}")
            yield AwardPoints(member, point_type, -due, reason=f"expired: earned before {when}", capped=False)

    def describe(self) -> str:
        return "takes away points when they expire (point types with expires_after_days)"


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# -- the sweep -------------------------------------------------------------------------------


def _due(point_type: str, since: datetime) -> sa.Select[Any]:
    gains = _live_gains(BALANCES.c.member_id, point_type, since).scalar_subquery()
    due = (BALANCES.c.balance - gains).label("due")
    return (
        sa.select(MEMBERS.c.user_id, due)
        .join(MEMBERS, MEMBERS.c.id == BALANCES.c.member_id)
        .where(BALANCES.c.point_type == point_type, BALANCES.c.balance > 0, BALANCES.c.balance > gains)
        .order_by(MEMBERS.c.user_id)
    )


@dataclass(frozen=True)
class Swept:
    point_type: str
    day: date
    members: int
    points: int


def sweep(gk: GuildKit, *, dry_run: bool = False, only: Iterable[str] | None = None) -> list[Swept]:
    """Expire what is due today for every point type that expires (or those in ``only``)."""
    zone = gk.state.zone
    today = gk.clock().astimezone(zone).date()
    done = []
    wanted = None if only is None else set(only)
    for slug, definition in sorted(gk.registry.point_types.items()):
        days = definition.expires_after_days
        if days is None or (wanted is not None and slug not in wanted):
            continue
        since = window_start(today, days, zone)
        with gk.store.engine.connect() as conn:
            due = conn.execute(_due(slug, since)).all()
        if not dry_run:
            earned_before = f"{since.astimezone(zone):%Y-%m-%d}"
            payload = {"point_type": slug, "since": since.isoformat(), "earned_before": earned_before}
            items = [
                {
                    "type": EXPIRE,
                    "key": f"{EXPIRE}:{slug}:{today.isoformat()}:{user}",
                    "target": user,
                    "payload": payload,
                    "occurred_at": since,
                }
                for user, _ in due
            ]
            for start in range(0, len(items), CHUNK):
                gk.record_many(items[start : start + CHUNK])
            _mark(gk, slug, today)
        done.append(Swept(slug, today, len(due), sum(amount for _, amount in due)))
    return done


def _mark(gk: GuildKit, point_type: str, day: date) -> None:
    def write(conn: sa.Connection) -> None:
        statement = upsert(conn.dialect.name, SWEEPS, ("point_type",), ("day", "swept_at"))
        conn.execute(statement, {"point_type": point_type, "day": day.toordinal(), "swept_at": utcnow()})

    gk.store.run_write(write)
    _swept(gk)[point_type] = day.toordinal()


def _swept(gk: GuildKit) -> dict[str, int]:
    """Per app: the local day each expiring point type was last seen swept through."""
    found: dict[str, int] = gk.state.cache.setdefault("guildkit.expiry.swept", {})
    return found


def bring_up_to_date(gk: GuildKit, point_types: Iterable[str]) -> None:
    """Run today's sweep of these point types first if it has not run yet (reads and boards of
    expiring points never count expired ones). Costs nothing once done today in this process."""
    registry = gk.registry
    expiring = [p for p in point_types if p in registry.point_types and registry.point_types[p].expires_after_days]
    if not expiring:
        return
    today = gk.clock().astimezone(gk.state.zone).date().toordinal()
    known = _swept(gk)
    stale = [p for p in expiring if known.get(p, 0) < today]
    if not stale:
        return
    with gk.store.engine.connect() as conn:
        read = sa.select(SWEEPS.c.point_type, SWEEPS.c.day).where(SWEEPS.c.point_type.in_(stale))
        stored = dict(conn.execute(read).all())
    known.update(stored)
    behind = [p for p in stale if known.get(p, 0) < today]
    if behind:
        sweep(gk, only=behind)


# -- what expires when -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expiring:
    """``points`` of ``point_type`` the member holds will expire at the start of local day ``on``."""

    point_type: str
    points: int
    on: date


def schedule(gk: GuildKit, member_id: int, point_type: str) -> list[Expiring]:
    """What of the member's balance of ``point_type`` expires when, soonest first."""
    days = gk.registry.point_types[point_type].expires_after_days
    if not days:
        return []
    zone = gk.state.zone
    today = gk.clock().astimezone(zone).date()
    since = window_start(today, days, zone)
    with gk.store.engine.connect() as conn:
        balance = int(
            conn.scalar(
                sa.select(BALANCES.c.balance).where(
                    BALANCES.c.member_id == member_id, BALANCES.c.point_type == point_type
                )
            )
            or 0
        )
        lots = conn.execute(
            sa.select(LEDGER.c.created_at, LEDGER.c.amount)
            .where(
                LEDGER.c.member_id == member_id,
                LEDGER.c.point_type == point_type,
                LEDGER.c.amount > 0,
                LEDGER.c.created_at >= since,
                ~sa.exists().where(_REVERSAL.c.reverses_id == LEDGER.c.id),
            )
            .order_by(LEDGER.c.created_at, LEDGER.c.id)
        ).all()
    # Oldest first: what the member holds belongs to the newest lots, so a lot's expiry takes
    # whatever of the balance is more than the lots newer than it (less what went before).
    by_day: dict[date, int] = {}
    newer = sum(amount for _, amount in lots)
    gone = 0
    for earned, amount in lots:
        newer -= amount
        due = max(0, balance - newer - gone)
        if due:
            on = earned.astimezone(zone).date() + timedelta(days=days)
            by_day[on] = by_day.get(on, 0) + due
            gone += due
    return [Expiring(point_type, points, on) for on, points in sorted(by_day.items())]
