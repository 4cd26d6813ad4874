"""The KPI rollups, kept by an idempotent, incremental refresh: :func:`refresh`.

The rollup tables (:mod:`.models`) hold, per local day of the community's time zone, what the
KPIs would otherwise aggregate from the raw tables on every call: each member's activities,
content, engagement score and first and last activity, the activities per type, the points
issued and reversed per point type, and the badge awards; plus each member's first post and the
first reply to it; and, derived from the member-days, calendar week and month rows
(:mod:`.spans`). :mod:`.rolled` answers the KPIs from them.

How a refresh stays exact:

* **What is new** is found by id. Activities, ledger rows and badge awards get increasing ids,
  and the state row remembers the highest of each taken in. On SQLite the refresh holds the
  write lock (``BEGIN IMMEDIATE``), so every id up to the current maximum is committed. On
  PostgreSQL a transaction can commit a lower id after a higher one is visible, so the maxima
  are read while holding ``SHARE`` locks on the three tables, which waits for the transactions
  writing to them to end (and gives up after :data:`LOCK_TIMEOUT`: the caller then reads live).
* **Retractions** change an old row. Retracted activities the rollups have not taken in are an
  anti-join of ``ix_guildkit_activities_retracted`` (a partial index of retracted rows) against
  ``guildkit_analytics_retractions``.
* **Recomputing, never adding** for activities: every local day a new or retracted activity
  falls on is recomputed from the activity log (for the members concerned, or the whole day when
  many are), so running a refresh twice, or after a crash, gives the same rows. The ledger and
  badge awards are append-only (the database refuses UPDATE and DELETE on the ledger; awards are
  revoked, not deleted, and the KPI counts revoked ones), so their new rows are added to the
  day totals in the same transaction that moves the ids forward: exactly once.
* **Members' status, names and erasure** are not in the rollups: the KPIs that filter on them
  join ``guildkit_members`` when they read. Erasure rewrites keys and payloads, never the actor,
  type, time or retraction of an activity.
* **Settings** the rows depend on (``GUILDKIT_TIMEZONE``, the content and reply types, the
  engagement weights) are hashed into the state row; when they change, the next refresh rebuilds.

Call :func:`refresh` from a job or ``flask guildkit analytics rollup``; ``gk.analytics`` also
calls it before each KPI, where it costs a few index probes when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guildkit.analytics import spans
from guildkit.analytics.models import (
    AwardDay,
    FirstPost,
    MemberDay,
    PointDay,
    RollupState,
    SeenRetraction,
    TypeDay,
)
from guildkit.analytics.periods import local_midnight
from guildkit.analytics.settings import Settings, participation, participation_of_any, type_matches, weight_expression
from guildkit.models import Activity, BadgeAward, LedgerEntry, Member, table_of

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

ACTIVITIES = table_of(Activity)
LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
MEMBERS = table_of(Member)
STATE = table_of(RollupState)
MEMBER_DAYS = table_of(MemberDay)
TYPE_DAYS = table_of(TypeDay)
POINT_DAYS = table_of(PointDay)
AWARD_DAYS = table_of(AwardDay)
FIRST_POSTS = table_of(FirstPost)
SEEN = table_of(SeenRetraction)
ROLLUP_TABLES = (MEMBER_DAYS, *spans.SPAN_TABLES, TYPE_DAYS, POINT_DAYS, AWARD_DAYS, FIRST_POSTS, SEEN)

#: Bumped when the rows' meaning changes, so existing rollups are rebuilt.
VERSION = 2  # 2: the calendar rows of :mod:`.spans`
#: How long a PostgreSQL refresh waits for the transactions writing activities to end.
LOCK_TIMEOUT = "500ms"
#: Past this many members on one day, the whole day is recomputed rather than member by member.
WHOLE_DAY = 500
#: Rows read at once from the activity log, the ledger and the awards.
BATCH = 20_000
#: Members per ``IN`` list.
CHUNK = 500


@dataclass
class Refreshed:
    """What one refresh did."""

    #: False when PostgreSQL writers held the tables past :data:`LOCK_TIMEOUT`: nothing changed.
    current: bool = True
    #: Built from scratch (first run, ``rebuild=True``, or the settings changed).
    rebuilt: bool = False
    activities: int = 0
    retractions: int = 0
    ledger_rows: int = 0
    badge_awards: int = 0
    #: Local days whose activity rows were recomputed.
    days: int = 0
    first_posts: int = 0
    #: Why the refresh ran, or did not.
    note: str = ""

    def out(self) -> dict[str, Any]:
        return asdict(self)


def settings_hash(zone: ZoneInfo, settings: Settings) -> str:
    """What the rollup rows depend on, hashed: a change means a rebuild."""
    what = [VERSION, zone.key, settings.content_types, settings.reply_types, sorted(settings.weights.items())]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()


def day_of(moment: datetime, zone: ZoneInfo) -> int:
    """The local day of an instant, as the ordinal the rollups store."""
    return moment.astimezone(zone).date().toordinal()


def bounds(day: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants ``[start, stop)`` of local day ``day``."""
    return local_midnight(date.fromordinal(day), zone), local_midnight(date.fromordinal(day + 1), zone)


@dataclass(frozen=True)
class _Maxima:
    activity: int
    ledger: int
    award: int


def _maxima(conn: sa.Connection) -> _Maxima:
    row = conn.execute(
        sa.select(
            sa.select(sa.func.coalesce(sa.func.max(ACTIVITIES.c.id), 0)).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.max(LEDGER.c.id), 0)).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.max(AWARDS.c.id), 0)).scalar_subquery(),
        )
    ).one()
    return _Maxima(int(row[0]), int(row[1]), int(row[2]))


def _unseen_retractions(horizon: int) -> sa.Select[Any]:
    seen = sa.select(SEEN.c.activity_id).where(SEEN.c.activity_id == ACTIVITIES.c.id)
    return sa.select(ACTIVITIES.c.id).where(
        ACTIVITIES.c.retracted_at.is_not(None), ACTIVITIES.c.id <= horizon, ~seen.exists()
    )


def is_current(conn: sa.Connection, zone: ZoneInfo, settings: Settings) -> bool:
    """True if the rollups hold everything committed so far (a read-only check)."""
    state = conn.execute(sa.select(STATE).where(STATE.c.id == 1)).first()
    if state is None or state.settings != settings_hash(zone, settings):
        return False
    found = _maxima(conn)
    if (found.activity, found.ledger, found.award) != (state.activity_id, state.ledger_id, state.award_id):
        return False
    return conn.execute(_unseen_retractions(state.activity_id).limit(1)).first() is None


def refresh(gk: GuildKit, settings: Settings, *, rebuild: bool = False) -> Refreshed:
    """Bring the rollups up to date with everything committed; idempotent, safe to run at once
    from several processes (they take turns on the state row).

    Call it in an app context (``settings`` is ``Settings.from_config(app.config)``).
    """
    zone = gk.state.zone
    engine = gk.store.engine
    if not rebuild:
        with engine.connect() as conn:
            if is_current(conn, zone, settings):
                return Refreshed(note="already current")
    horizon: _Maxima | None = None
    if engine.dialect.name == "postgresql":
        horizon = _settled_maxima(engine)
        if horizon is None:
            return Refreshed(current=False, note="writers held the tables; try again")

    def body(conn: sa.Connection) -> Refreshed:
        return _refresh(gk, conn, zone, settings, rebuild, horizon or _maxima(conn))

    result: Refreshed = gk.store.run_write(body)
    return result


def _settled_maxima(engine: sa.Engine) -> _Maxima | None:
    """The highest ids once every transaction writing those tables has ended (PostgreSQL)."""
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            conn.exec_driver_sql(f"LOCK TABLE {ACTIVITIES.name}, {LEDGER.name}, {AWARDS.name} IN SHARE MODE")
        except sa.exc.OperationalError:
            conn.rollback()
            return None
        found = _maxima(conn)
        conn.rollback()
        return found


def _refresh(
    gk: GuildKit, conn: sa.Connection, zone: ZoneInfo, settings: Settings, rebuild: bool, horizon: _Maxima
) -> Refreshed:
    if conn.dialect.name == "postgresql":
        # One snapshot for the whole refresh: the live activities it adds and the retractions it
        # subtracts must be read at the same moment (a concurrent refresh fails to serialize on
        # the state row and is retried).
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    wanted = settings_hash(zone, settings)
    conn.execute(
        _insert(conn, STATE).values(id=1, settings="", activity_id=0, ledger_id=0, award_id=0).on_conflict_do_nothing()
    )
    state = conn.execute(sa.select(STATE).where(STATE.c.id == 1).with_for_update()).one()
    done = Refreshed()
    if rebuild or state.settings != wanted:
        for table in ROLLUP_TABLES:
            conn.execute(table.delete())
        done.rebuilt = True
        start = _Maxima(0, 0, 0)
        _build_activities(conn, zone, settings, horizon.activity, done)
    else:
        start = _Maxima(state.activity_id, state.ledger_id, state.award_id)
        _refresh_activities(conn, zone, settings, start.activity, horizon.activity, done)
    done.ledger_rows = _add_ledger(conn, zone, start.ledger, horizon.ledger)
    done.badge_awards = _add_awards(conn, zone, start.award, horizon.award)
    conn.execute(
        STATE.update()
        .where(STATE.c.id == 1)
        .values(
            settings=wanted,
            activity_id=max(horizon.activity, start.activity),
            ledger_id=max(horizon.ledger, start.ledger),
            award_id=max(horizon.award, start.award),
            refreshed_at=gk.clock(),
        )
    )
    done.note = "rebuilt" if done.rebuilt else "refreshed"
    return done


# -- activities -------------------------------------------------------------------------------


def _build_activities(conn: sa.Connection, zone: ZoneInfo, settings: Settings, horizon: int, done: Refreshed) -> None:
    live = sa.and_(participation(), ACTIVITIES.c.id <= horizon)
    first, last = conn.execute(
        sa.select(sa.func.min(ACTIVITIES.c.occurred_at), sa.func.max(ACTIVITIES.c.occurred_at)).where(live)
    ).one()
    if first is not None:
        # Ascending, so each day's previous days are final when its rows are inserted.
        for day in range(day_of(first, zone), day_of(last, zone) + 1):
            _recompute_day(conn, zone, settings, day, None, horizon, track=False)
            done.days += 1
        spans.rebuild(conn, day_of(first, zone), day_of(last, zone), zone)
    done.retractions = conn.execute(
        SEEN.insert().from_select(
            ["activity_id"],
            sa.select(ACTIVITIES.c.id).where(ACTIVITIES.c.retracted_at.is_not(None), ACTIVITIES.c.id <= horizon),
        )
    ).rowcount
    done.first_posts = _recompute_first_posts(conn, settings, None, horizon)
    done.activities = int(conn.scalar(sa.select(sa.func.count()).where(ACTIVITIES.c.id <= horizon)) or 0)


def _refresh_activities(
    conn: sa.Connection, zone: ZoneInfo, settings: Settings, since: int, horizon: int, done: Refreshed
) -> None:
    # day -> the members to recompute on it (None: the whole day); members whose first post may move.
    dirty: dict[int, set[int] | None] = {}
    posters: set[int] = set()
    # (day, type) -> activities gained or lost: live ones taken in, counted ones retracted.
    types: dict[tuple[int, str], int] = defaultdict(int)
    content = type_matches(settings.content_types).label("is_content")
    reply = type_matches(settings.reply_types).label("is_reply")
    counts = participation_of_any().label("counts")
    columns = (
        ACTIVITIES.c.id,
        ACTIVITIES.c.actor_id,
        ACTIVITIES.c.target_id,
        ACTIVITIES.c.type,
        ACTIVITIES.c.occurred_at,
        ACTIVITIES.c.retracted_at,
        content,
        reply,
        counts,
    )

    def take(rows: Iterable[sa.Row[Any]], retracted: bool) -> None:
        for row in rows:
            if row.is_content and row.actor_id is not None:
                posters.add(row.actor_id)
            if row.is_reply and row.target_id is not None:
                posters.add(row.target_id)
            if not row.counts:
                continue
            day = day_of(row.occurred_at, zone)
            if not retracted and row.retracted_at is None:
                types[(day, row.type)] += 1
            elif retracted and row.id <= since:
                # Taken in live by an earlier refresh (one that saw it retracted has it in SEEN).
                types[(day, row.type)] -= 1
            members = dirty.setdefault(day, set())
            if members is not None:
                members.add(row.actor_id)
                if len(members) > WHOLE_DAY:
                    dirty[day] = None

    for batch in _batches(conn, sa.select(*columns), ACTIVITIES.c.id, since, horizon):
        done.activities += len(batch)
        take(batch, retracted=False)
    retracted = conn.execute(
        sa.select(*columns).where(ACTIVITIES.c.id.in_(_unseen_retractions(horizon).scalar_subquery()))
    ).all()
    if retracted:
        conn.execute(SEEN.insert(), [{"activity_id": row.id} for row in retracted])
        done.retractions = len(retracted)
        take(retracted, retracted=True)
    changed: dict[int, int] = {}
    for day in sorted(dirty):
        for member in _recompute_day(conn, zone, settings, day, dirty[day], horizon, types=False):
            changed.setdefault(member, day)
        done.days += 1
    _relink(conn, changed)
    spans.refresh(conn, dirty, zone)  # after the relink: they read the members' links
    _add_types(conn, types)
    if posters:
        done.first_posts = _recompute_first_posts(conn, settings, posters, horizon)


def _batches(
    conn: sa.Connection, select: sa.Select[Any], id_column: Any, since: int, horizon: int
) -> Iterator[list[sa.Row[Any]]]:
    """The rows with ``since < id <= horizon``, :data:`BATCH` at a time, by id."""
    after = since
    while after < horizon:
        rows = list(
            conn.execute(select.where(id_column > after, id_column <= horizon).order_by(id_column).limit(BATCH))
        )
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _recompute_day(
    conn: sa.Connection,
    zone: ZoneInfo,
    settings: Settings,
    day: int,
    members: set[int] | None,
    horizon: int,
    *,
    track: bool = True,
    types: bool = True,
) -> set[int]:
    """Rebuild day ``day``'s rows (of ``members``, or all) from the activity log; returns the
    members whose active or content day appeared or disappeared (their later rows' links move)."""
    start, stop = bounds(day, zone)
    chunks: list[list[int] | None] = [None] if members is None else _chunks(sorted(members))
    changed: set[int] = set()
    for chunk in chunks:
        on_day: sa.ColumnElement[bool] = MEMBER_DAYS.c.day == day
        theirs: sa.ColumnElement[bool] = sa.true()
        if chunk is not None:
            on_day = sa.and_(on_day, MEMBER_DAYS.c.member_id.in_(chunk))
            theirs = ACTIVITIES.c.actor_id.in_(chunk)
        before = _presence(conn, on_day) if track else {}
        conn.execute(MEMBER_DAYS.delete().where(on_day))
        conn.execute(
            MEMBER_DAYS.insert().from_select(
                [c.name for c in MEMBER_DAYS.columns],
                _member_day_select(settings, day, start, stop, sa.and_(theirs, ACTIVITIES.c.id <= horizon)),
            )
        )
        after = _presence(conn, on_day) if track else {}
        changed |= {m for m in before.keys() | after.keys() if before.get(m) != after.get(m)}
    if types:
        _recompute_types(conn, zone, day, horizon)
    return changed


def _recompute_types(conn: sa.Connection, zone: ZoneInfo, day: int, horizon: int) -> None:
    start, stop = bounds(day, zone)
    in_day = sa.and_(
        participation(),
        ACTIVITIES.c.occurred_at >= start,
        ACTIVITIES.c.occurred_at < stop,
        ACTIVITIES.c.id <= horizon,
    )
    # Grouped by an expression so SQLite reads the covering live index, not the type index and
    # every row (see membership.activity).
    type_key = sa.func.coalesce(ACTIVITIES.c.type, "")
    conn.execute(TYPE_DAYS.delete().where(TYPE_DAYS.c.day == day))
    conn.execute(
        TYPE_DAYS.insert().from_select(
            ["day", "type", "activities"],
            sa.select(sa.literal(day), type_key, sa.func.count()).where(in_day).group_by(type_key),
        )
    )


def _add_types(conn: sa.Connection, deltas: dict[tuple[int, str], int]) -> None:
    """Add the changes to the activities per day and type (a type gone from a day loses its row)."""
    changes = [{"day": d, "type": t, "activities": n} for (d, t), n in deltas.items() if n]
    if not changes:
        return
    insert = _insert(conn, TYPE_DAYS)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["day", "type"], set_={"activities": TYPE_DAYS.c.activities + insert.excluded.activities}
        ),
        changes,
    )
    conn.execute(TYPE_DAYS.delete().where(TYPE_DAYS.c.activities == 0))


def _presence(conn: sa.Connection, where: sa.ColumnElement[bool]) -> dict[int, bool]:
    """Member -> whether they posted content, for the rows ``where`` picks."""
    rows = conn.execute(sa.select(MEMBER_DAYS.c.member_id, MEMBER_DAYS.c.content).where(where))
    return {member: content > 0 for member, content in rows}


def _member_day_select(
    settings: Settings, day: int, start: datetime, stop: datetime, which: sa.ColumnElement[bool]
) -> sa.Select[Any]:
    content = type_matches(settings.content_types)
    earlier = MEMBER_DAYS.alias("earlier")
    previous = sa.select(sa.func.max(earlier.c.day)).where(
        earlier.c.member_id == ACTIVITIES.c.actor_id, earlier.c.day < day
    )
    return (
        sa.select(
            ACTIVITIES.c.actor_id,
            sa.literal(day),
            sa.func.count(),
            sa.func.sum(sa.case((content, 1), else_=0)),
            sa.func.sum(weight_expression(settings.weights)),
            sa.func.min(ACTIVITIES.c.occurred_at),
            sa.func.max(ACTIVITIES.c.occurred_at),
            previous.scalar_subquery(),
            previous.where(earlier.c.content > 0).scalar_subquery(),
        )
        .where(participation(), ACTIVITIES.c.occurred_at >= start, ACTIVITIES.c.occurred_at < stop, which)
        .group_by(ACTIVITIES.c.actor_id)
    )


def _relink(conn: sa.Connection, changed: dict[int, int]) -> None:
    """Point each changed member's rows after the day they changed at their previous days again."""
    if not changed:
        return
    earlier = MEMBER_DAYS.alias("earlier")
    previous = sa.select(sa.func.max(earlier.c.day)).where(
        earlier.c.member_id == MEMBER_DAYS.c.member_id, earlier.c.day < MEMBER_DAYS.c.day
    )
    conn.execute(
        MEMBER_DAYS.update()
        .where(MEMBER_DAYS.c.member_id == sa.bindparam("m"), MEMBER_DAYS.c.day > sa.bindparam("d"))
        .values(
            prev_day=previous.scalar_subquery(),
            prev_content_day=previous.where(earlier.c.content > 0).scalar_subquery(),
        ),
        [{"m": member, "d": day} for member, day in changed.items()],
    )


def _recompute_first_posts(conn: sa.Connection, settings: Settings, members: set[int] | None, horizon: int) -> int:
    """Each member's first live content activity and the first reply to them at or after it:
    the same probes as :func:`.cohorts.first_response`, stored for ``members`` (or everyone)."""
    chunks: list[list[int] | None] = [None] if members is None else _chunks(sorted(members))
    stored = 0
    for chunk in chunks:
        which: sa.ColumnElement[bool] = sa.true() if chunk is None else MEMBERS.c.id.in_(chunk)
        if chunk is not None:
            conn.execute(FIRST_POSTS.delete().where(FIRST_POSTS.c.member_id.in_(chunk)))
        first_at = (
            sa.select(ACTIVITIES.c.occurred_at)
            .where(
                ACTIVITIES.c.actor_id == MEMBERS.c.id,
                ACTIVITIES.c.retracted_at.is_(None),
                ACTIVITIES.c.id <= horizon,
                type_matches(settings.content_types),
            )
            .order_by(ACTIVITIES.c.occurred_at)
            .limit(1)
            .scalar_subquery()
        )
        posters = sa.select(MEMBERS.c.id, first_at.label("first_at")).where(which).subquery()
        reply = ACTIVITIES.alias("reply")
        reply_at = (
            sa.select(reply.c.occurred_at)
            .where(
                reply.c.target_id == posters.c.id,
                reply.c.occurred_at >= posters.c.first_at,
                reply.c.actor_id != posters.c.id,
                reply.c.retracted_at.is_(None),
                reply.c.id <= horizon,
                type_matches(settings.reply_types, reply.c.type),
            )
            .order_by(reply.c.occurred_at)
            .limit(1)
            .scalar_subquery()
        )
        stored += conn.execute(
            FIRST_POSTS.insert().from_select(
                ["member_id", "first_at", "reply_at"],
                sa.select(posters.c.id, posters.c.first_at, reply_at).where(posters.c.first_at.is_not(None)),
            )
        ).rowcount
    return stored


# -- the ledger and badge awards: append-only, so new rows are added ---------------------------


def _add_ledger(conn: sa.Connection, zone: ZoneInfo, since: int, horizon: int) -> int:
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    seen = 0
    select = sa.select(LEDGER.c.id, LEDGER.c.point_type, LEDGER.c.amount, LEDGER.c.created_at)
    for batch in _batches(conn, select, LEDGER.c.id, since, horizon):
        seen += len(batch)
        for row in batch:
            total = totals[(day_of(row.created_at, zone), row.point_type)]
            if row.amount > 0:
                total[0] += row.amount
            else:
                total[1] -= row.amount
    if totals:
        insert = _insert(conn, POINT_DAYS)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["day", "point_type"],
                set_={
                    "issued": POINT_DAYS.c.issued + insert.excluded.issued,
                    "reversed": POINT_DAYS.c.reversed + insert.excluded.reversed,
                },
            ),
            [{"day": d, "point_type": t, "issued": i, "reversed": r} for (d, t), (i, r) in totals.items()],
        )
    return seen


def _add_awards(conn: sa.Connection, zone: ZoneInfo, since: int, horizon: int) -> int:
    totals: dict[int, int] = defaultdict(int)
    seen = 0
    for batch in _batches(conn, sa.select(AWARDS.c.id, AWARDS.c.awarded_at), AWARDS.c.id, since, horizon):
        seen += len(batch)
        for row in batch:
            totals[day_of(row.awarded_at, zone)] += 1
    if totals:
        insert = _insert(conn, AWARD_DAYS)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["day"], set_={"awards": AWARD_DAYS.c.awards + insert.excluded.awards}
            ),
            [{"day": d, "awards": n} for d, n in totals.items()],
        )
    return seen


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``ON CONFLICT``."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _chunks(items: Sequence[int]) -> list[list[int] | None]:
    return [list(items[at : at + CHUNK]) for at in range(0, len(items), CHUNK)]
