"""Read-side queries used by the extension, the CLI and (later) the blueprint."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.errors import UnknownMember
from guildkit.models import Activity, BadgeAward, Balance, LedgerEntry, Member, Notification, RoleGrant
from guildkit.registry import Registry
from guildkit.rules.builtin import BadgeRule
from guildkit.store import kept
from guildkit.unit import Unit
from guildkit.words import Words


def find_member(session: Session, user_id: str) -> Member | None:
    """The member for host user ``user_id``, or ``None``.

    One this session already loaded (and has not expired since: a commit expires everything) is
    taken from the session's identity map without a query: a profile page asks for the same
    member from a dozen places (its links, its sections, each feature's)."""
    for loaded in session.identity_map.values():
        if isinstance(loaded, Member) and loaded.__dict__.get("user_id") == user_id and not sa.inspect(loaded).deleted:
            return loaded
    return session.scalar(sa.select(Member).where(Member.user_id == user_id))


def get_member(session: Session, user_id: str) -> Member:
    """:func:`find_member`; :class:`~guildkit.errors.UnknownMember` if there is none."""
    member = find_member(session, user_id)
    if member is None:
        raise UnknownMember(user_id)
    return member


def balances(session: Session, member_id: int) -> dict[str, int]:
    rows = session.execute(sa.select(Balance.point_type, Balance.balance).where(Balance.member_id == member_id))
    return dict(rows.all())


def balances_of(session: Session, point_type: str, user_ids: list[str]) -> dict[str, int]:
    """``point_type`` balances of many host users in one query (only those who have one)."""
    rows = session.execute(
        sa.select(Member.user_id, Balance.balance)
        .join(Balance, Balance.member_id == Member.id)
        .where(Balance.point_type == point_type, Member.user_id.in_(user_ids))
    )
    return dict(rows.all())


def ledger(
    session: Session, member_id: int, point_type: str | None, limit: int, before: int | None
) -> list[LedgerEntry]:
    query = sa.select(LedgerEntry).where(LedgerEntry.member_id == member_id)
    if point_type is not None:
        query = query.where(LedgerEntry.point_type == point_type)
    if before is not None:
        query = query.where(LedgerEntry.id < before)
    return list(session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit)))


def activities_by_id(session: Session, ids: Iterable[int]) -> list[Activity]:
    wanted = list(ids)
    return list(session.scalars(sa.select(Activity).where(Activity.id.in_(wanted)))) if wanted else []


def badge_awards(session: Session, member_id: int) -> list[BadgeAward]:
    return list(
        session.scalars(
            sa.select(BadgeAward)
            .where(BadgeAward.member_id == member_id, BadgeAward.revoked_at.is_(None))
            .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())
        )
    )


def role_slugs(session: Session, member_id: int) -> list[str]:
    """The member's live roles, sorted: read once a request (:func:`guildkit.store.kept`)."""
    query = sa.select(RoleGrant.role_slug).where(RoleGrant.member_id == member_id, RoleGrant.revoked_at.is_(None))
    return list(kept(session, "roles", member_id, lambda: tuple(sorted(session.scalars(query)))))


def held_permissions(session: Session, registry: Registry, member: Member | None) -> frozenset[str]:
    """What the member's roles allow: nothing for a non-member or a member who is not active."""
    if member is None or member.status != "active":
        return frozenset()
    return registry.permissions_of(role_slugs(session, member.id))


@dataclass(frozen=True)
class BadgeProgress:
    """How far a member is toward the next level of a threshold badge."""

    badge: str
    name: str
    level: int
    levels: int
    value: int
    next_threshold: int | None
    #: 0-100 toward the next level (100 when every level is held).
    percent: int
    #: What the rule counts, as admins read it (``answer.posted done``).
    metric: str
    #: What the next level asks, in words ("Answer 15 questions"); the last level's once all are held.
    goal: str


def progress(session: Session, registry: Registry, member_id: int, now: datetime) -> list[BadgeProgress]:
    reader = Unit(session.connection(), now)
    words = Words(registry)
    found: list[BadgeProgress] = []
    for badge_rule in registry.rules.values():
        # One progress bar per badge: the first threshold rule that awards it.
        if not isinstance(badge_rule, BadgeRule) or registry.badge_rule(badge_rule.badge) is not badge_rule:
            continue
        badge = registry.badges[badge_rule.badge]
        level = reader.badge_level(member_id, badge.slug)
        if badge.secret and level == 0:
            continue
        value = badge_rule.metric.read(reader, member_id)
        thresholds = badge_rule.thresholds
        following = thresholds[level] if level < len(thresholds) else None
        start = thresholds[level - 1] if level else 0
        percent = 100 if following is None else max(0, min(99, int(100 * (value - start) / max(1, following - start))))
        found.append(
            BadgeProgress(
                badge=badge.slug,
                name=badge.level_title(min(level + 1, len(badge.levels))),
                level=level,
                levels=len(badge.levels),
                value=value,
                next_threshold=following,
                percent=percent,
                metric=badge_rule.metric.describe(),
                goal=words.goal(badge_rule.metric, following if following is not None else thresholds[-1]),
            )
        )
    return sorted(found, key=lambda p: (p.next_threshold is None, -p.percent, p.badge))


# -- directory, history, badges and notifications (used by the blueprint) -----------------


def members_page(
    session: Session, *, q: str | None, status: str | None, limit: int, after: tuple[str, int] | None
) -> list[Member]:
    """Members by join date, newest first; ``q`` searches display names (case-insensitive).

    Deleted (and erased) members are listed only when ``status="deleted"`` is asked for.
    """
    query = sa.select(Member)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(sa.func.lower(sa.func.coalesce(Member.display_name, Member.user_id)).like(pattern))
    query = query.where(Member.status == status) if status else query.where(Member.status != "deleted")
    if after is not None:
        joined, member_id = after
        query = query.where(
            sa.tuple_(Member.joined_at, Member.id) < sa.tuple_(sa.literal(datetime.fromisoformat(joined)), member_id)
        )
    return list(session.scalars(query.order_by(Member.joined_at.desc(), Member.id.desc()).limit(limit + 1)))


def ledger_page(
    session: Session, member_id: int, point_type: str | None, limit: int, before: tuple[datetime, int] | None
) -> list[tuple[LedgerEntry, Activity]]:
    """Ledger rows newest first by when they happened (imports and rule changes date rows in
    the past), each with the activity that caused it; ``before`` is the last row's
    ``(created_at, id)``."""
    query = (
        sa.select(LedgerEntry, Activity)
        .join(Activity, Activity.id == LedgerEntry.activity_id)
        .where(LedgerEntry.member_id == member_id)
    )
    if point_type is not None:
        query = query.where(LedgerEntry.point_type == point_type)
    if before is not None:
        at, entry_id = before
        query = query.where(
            sa.tuple_(LedgerEntry.created_at, LedgerEntry.id)
            < sa.tuple_(sa.literal(at, LedgerEntry.created_at.type), sa.literal(entry_id))
        )
    order = (LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    return [(e, a) for e, a in session.execute(query.order_by(*order).limit(limit + 1))]


def recent_ledger(session: Session, member_id: int, limit: int) -> list[sa.Row[Any]]:
    """The member's latest ``limit`` ledger rows in :func:`ledger_page`'s order, in brief: ``id``,
    ``point_type``, ``amount``, ``reverses_id`` and the activity's ``type`` (no payloads to decode)."""
    return list(
        session.execute(
            sa.select(LedgerEntry.id, LedgerEntry.point_type, LedgerEntry.amount, LedgerEntry.reverses_id)
            .add_columns(Activity.type)
            .join(Activity, Activity.id == LedgerEntry.activity_id)
            .where(LedgerEntry.member_id == member_id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(limit)
        )
    )


def ledger_rows(session: Session, ids: Collection[int]) -> list[tuple[LedgerEntry, Activity]]:
    """The ledger rows ``ids``, each with its activity, in :func:`ledger_page`'s order."""
    if not ids:
        return []
    query = (
        sa.select(LedgerEntry, Activity)
        .join(Activity, Activity.id == LedgerEntry.activity_id)
        .where(LedgerEntry.id.in_(ids))
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    )
    return [(e, a) for e, a in session.execute(query)]


def ledger_cursor(entry: LedgerEntry) -> list[Any]:
    """The cursor key after ``entry`` in :func:`ledger_page`'s order."""
    return [entry.created_at.isoformat(), entry.id]


def ledger_before(key: list[Any] | None) -> tuple[datetime, int] | None:
    """A cursor key from :func:`ledger_cursor` back as ``before`` (``None`` for the first page)."""
    if key is None:
        return None
    return datetime.fromisoformat(str(key[0])), int(key[1])


@functools.lru_cache(maxsize=64)
def offset_spans(zone: tzinfo, first: date, last: date) -> tuple[tuple[datetime, int], ...]:
    """The stretches of ``zone``'s UTC offset from the start of day ``first`` to the end of day
    ``last`` (UTC days): ``(from, minutes)``, each change found to the minute (zones change at
    most a few times a year, at whole minutes). Kept: a profile asks for the same year all day."""

    def minutes(moment: datetime) -> int:
        offset = moment.astimezone(zone).utcoffset()
        return 0 if offset is None else int(offset.total_seconds() // 60)

    day = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    spans = [(day, minutes(day))]
    while day < end:
        following = day + timedelta(days=1)
        if minutes(following) != spans[-1][1]:  # it changed during this day: find the minute
            low, high = day, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if minutes(middle) == spans[-1][1] else (low, middle)
            spans.append((high.replace(second=0, microsecond=0), minutes(high)))
        day = following
    return tuple(spans)


def activity_days(session: Session, member_id: int, since: datetime, until: datetime, zone: tzinfo) -> dict[date, int]:
    """How many things the member did (as the actor, not retracted, not guildkit's own
    bookkeeping such as joining) on each day in ``zone``, from ``since`` to ``until``: the
    profile's calendar. Counted by the database, one row a day: each moment is moved by the
    zone's offset at that moment (:func:`offset_spans`), so days are exact through summer time."""
    spans = offset_spans(zone, since.astimezone(UTC).date(), until.astimezone(UTC).date())
    moved: sa.ColumnElement[Any]
    postgresql = session.get_bind().dialect.name == "postgresql"

    def shift(minutes: int) -> Any:  # minutes on PostgreSQL (make_interval), a modifier on SQLite
        return minutes if postgresql else f"{minutes:+d} minutes"

    by: Any = sa.literal(shift(spans[0][1]))
    if len(spans) > 1:  # the latest change the moment is past decides
        by = sa.case(*((Activity.occurred_at >= at, shift(m)) for at, m in reversed(spans[1:])), else_=by)
    if postgresql:
        moved = sa.cast(Activity.occurred_at + sa.func.make_interval(0, 0, 0, 0, 0, by), sa.Date)
    else:
        moved = sa.func.date(Activity.occurred_at, by)
    query = (
        sa.select(moved.label("day"), sa.func.count())
        .where(Activity.actor_id == member_id, Activity.occurred_at >= since, Activity.occurred_at <= until)
        .where(Activity.retracted_at.is_(None), sa.not_(Activity.type.startswith("guildkit.")))
        .group_by(moved)
    )
    return {day if isinstance(day, date) else date.fromisoformat(day): int(n) for day, n in session.execute(query)}


def badge_holder_counts(session: Session) -> dict[str, int]:
    """How many members hold each badge (any level)."""
    rows = session.execute(
        sa.select(BadgeAward.badge_slug, sa.func.count(sa.distinct(BadgeAward.member_id)))
        .where(BadgeAward.revoked_at.is_(None))
        .group_by(BadgeAward.badge_slug)
    )
    return {slug: int(count) for slug, count in rows}


def member_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.status != "deleted")) or 0


def awards_page(
    session: Session,
    limit: int,
    after: tuple[str, int] | None,
    *,
    badge: str | None = None,
    member_id: int | None = None,
) -> list[tuple[Member, BadgeAward]]:
    """Live badge awards, most recent first (of one ``badge`` and/or one member), with their members."""
    query = (
        sa.select(Member, BadgeAward)
        .join(Member, Member.id == BadgeAward.member_id)
        .where(BadgeAward.revoked_at.is_(None))
    )
    if badge is not None:
        query = query.where(BadgeAward.badge_slug == badge)
    if member_id is not None:
        query = query.where(BadgeAward.member_id == member_id)
    if after is not None:
        awarded, award_id = after
        query = query.where(
            sa.tuple_(BadgeAward.awarded_at, BadgeAward.id)
            < sa.tuple_(sa.literal(datetime.fromisoformat(awarded)), award_id)
        )
    ordered = query.order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc()).limit(limit + 1)
    return [(m, a) for m, a in session.execute(ordered)]


def notifications_page(
    session: Session,
    member_id: int,
    limit: int,
    before: int | None,
    *,
    unread: bool = False,
    hidden: Collection[str] = (),
) -> list[Notification]:
    """The member's notifications newest first, leaving out the kinds in ``hidden`` (switched off)."""
    query = sa.select(Notification).where(Notification.member_id == member_id)
    if hidden:
        query = query.where(Notification.kind.not_in(sorted(hidden)))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if before is not None:
        query = query.where(Notification.id < before)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))


def unread_count(session: Session, member_id: int, *, hidden: Collection[str] = ()) -> int:
    """How many of the member's notifications are unread, leaving out the kinds in ``hidden``."""
    query = sa.select(sa.func.count()).select_from(Notification)
    query = query.where(Notification.member_id == member_id, Notification.read_at.is_(None))
    if hidden:
        query = query.where(Notification.kind.not_in(sorted(hidden)))
    return session.scalar(query) or 0


def mark_read(session: Session, member_id: int, now: datetime, up_to: int | None = None) -> int:
    query = sa.update(Notification).where(Notification.member_id == member_id, Notification.read_at.is_(None))
    if up_to is not None:
        query = query.where(Notification.id <= up_to)
    count = session.execute(query.values(read_at=now)).rowcount  # type: ignore[attr-defined]
    session.commit()
    return int(count or 0)


# -- building blocks for per-period counts (the analytics measures features contribute) --------


def within(column: Any, start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    """``start <= column < end``."""
    return sa.and_(column >= start, column < end)


def count_of(table: sa.Table, *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
    """``(SELECT count(*) FROM table WHERE …)``, to use as a column."""
    return sa.select(sa.func.count()).select_from(table).where(*where).scalar_subquery()
