"""What the groups service returns: frozen views, never ORM rows; and a goal's periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from guildkit.web.pages import page_url


@dataclass(frozen=True)
class GroupView:
    id: int
    slug: str
    name: str
    description: str
    #: ``open``, ``request`` or ``invite``.
    policy: str
    capacity: int | None
    member_count: int
    host_key: str | None
    created_at: datetime

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.member_count >= self.capacity

    @property
    def url(self) -> str | None:
        """The group's page, inside a request to guildkit's pages (``None`` in a job or the CLI)."""
        return page_url("group", group=self.slug)

    @classmethod
    def of(cls, row: Any) -> GroupView:
        return cls(row.id, row.slug, row.name, row.description, row.policy, row.capacity, row.member_count,
                   row.host_key, row.created_at)  # fmt: skip


@dataclass(frozen=True)
class Membership:
    """Where one member stands with one group."""

    group_id: int
    member_id: int
    user_id: str
    #: ``requested``, ``invited`` or ``member``.
    state: str
    role: str
    since: datetime
    #: Who invited or approved them (host user id), if anyone.
    by: str | None


@dataclass(frozen=True)
class Progress:
    """A goal's count in one period."""

    period_start: datetime
    period_end: datetime | None
    count: int
    reached_at: datetime | None


@dataclass(frozen=True)
class GoalView:
    id: int
    group_id: int
    name: str
    activity_type: str
    target: int
    starts_at: datetime
    ends_at: datetime | None
    recurring: str | None
    min_contribution: int
    badge: str
    defines_badge: bool
    created_at: datetime
    #: ``upcoming``, ``running`` or ``ended``, as of when it was read.
    state: str
    #: The period running now (or the last one, once ended; the first, before it starts).
    progress: Progress

    @property
    def reached(self) -> bool:
        return self.progress.reached_at is not None

    @property
    def percent(self) -> int:
        """How far the current period is, in whole percent (at most 100)."""
        return min(100, 100 * self.progress.count // self.target)


@dataclass(frozen=True)
class GroupBadgeView:
    group_id: int
    goal_id: int
    goal_name: str
    badge: str
    period_start: datetime
    reached_at: datetime
    awarded_at: datetime | None


@dataclass(frozen=True)
class TeamStanding:
    """A group on the team board: its members' points over the period, summed or per member."""

    rank: int
    group: GroupView
    total: int
    #: Active members counted (those whose points are summed).
    members: int
    #: What the board ranks by: ``total``, or the average per member (rounded down).
    score: int


# -- periods -------------------------------------------------------------------------------


def month_start(moment: datetime, zone: tzinfo) -> datetime:
    """Local midnight of the 1st of ``moment``'s month in ``zone``."""
    local = moment.astimezone(zone).date()
    return datetime.combine(date(local.year, local.month, 1), time(), tzinfo=zone)


def next_month(start: datetime, zone: tzinfo) -> datetime:
    local = start.astimezone(zone).date()
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime.combine(date(year, month, 1), time(), tzinfo=zone)


def period_of(
    starts_at: datetime, ends_at: datetime | None, recurring: str | None, moment: datetime, zone: tzinfo
) -> tuple[datetime, datetime | None] | None:
    """The goal's period holding ``moment`` (``[start, end)``), or ``None`` outside the goal.

    A one-off goal has one period, its own range. A monthly goal has one per calendar month
    in the community's zone, the first from its start and the last to its end."""
    if moment < starts_at or (ends_at is not None and moment >= ends_at):
        return None
    if recurring is None:
        return starts_at, ends_at
    start = max(month_start(moment, zone), starts_at)
    end = next_month(month_start(moment, zone), zone)
    if ends_at is not None and ends_at < end:
        end = ends_at
    return start, end


def goal_state(starts_at: datetime, ends_at: datetime | None, now: datetime) -> str:
    if now < starts_at:
        return "upcoming"
    return "running" if ends_at is None or now < ends_at else "ended"
