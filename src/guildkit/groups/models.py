"""Groups, their members, their goals and the badges they earn together.

A group's membership rows (``guildkit_group_memberships``) hold one row per (group, member) in a
state of the membership machine (:mod:`.transitions`): ``requested``, ``invited`` or ``member``
(no row: not involved). ``member_count`` on the group is kept with them, under the group's row
lock, so a full group refuses a join without counting.

A goal counts one activity type over a period, per group. Its progress is one counter row per
period (``guildkit_group_goal_periods``, moved by ``count = count + k``) and one row per member
who contributed (``guildkit_group_goal_contributions``): never a recount of history. Reaching the
target stamps ``reached_at`` once and writes the group's badge row (``guildkit_group_badges``,
unique per goal and period); ``awarded_at`` there says the contributors' badges went out.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

POLICIES = ("open", "request", "invite")
ROLES = ("owner", "maintainer", "member")
STATES = ("requested", "invited", "member")
RECURRENCES = ("monthly",)


class Group(Base):
    """A team, chapter, cohort or interest group."""

    __tablename__ = "guildkit_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: ``open`` (anyone joins), ``request`` (a manager approves), ``invite`` (invitations only).
    policy: Mapped[str] = mapped_column(sa.String(16), default="open")
    #: At most this many members (``None``: no limit).
    capacity: Mapped[int | None]
    member_count: Mapped[int] = mapped_column(default=0)
    #: The host's own key for a group it mirrors (``gk.groups.ensure``): unique when given.
    host_key: Mapped[str | None] = mapped_column(sa.String(191), unique=True)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("policy IN ('open', 'request', 'invite')", name="policy_known"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        sa.CheckConstraint("capacity IS NULL OR member_count <= capacity", name="within_capacity"),
    )


class GroupMembership(Base):
    """Where a member stands with a group: asked to join, invited, or a member with a role."""

    __tablename__ = "guildkit_group_memberships"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_groups.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    role: Mapped[str] = mapped_column(sa.String(16), default="member")
    #: When it entered its state (asked, invited, joined).
    since: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who invited them (an invitation), or approved them (a request).
    by_member: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: The member shows this group after their name (one group at most: the index below). Leaving
    #: deletes the row, and with it the flair.
    flair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.CheckConstraint("state IN ('requested', 'invited', 'member')", name="state_known"),
        sa.CheckConstraint("role IN ('owner', 'maintainer', 'member')", name="role_known"),
        sa.Index(
            "uq_guildkit_group_memberships_flair",
            "member_id",
            unique=True,
            sqlite_where=sa.text("flair"),
            postgresql_where=sa.text("flair"),
        ),
        # "The groups of member X": group_ids_of, and the goals an activity counts toward.
        sa.Index("ix_guildkit_group_memberships_member", "member_id", "state", "group_id"),
        sa.Index("ix_guildkit_group_memberships_group", "group_id", "state", "since"),
    )


class GroupGoal(Base):
    """A target for a group: ``target`` activities of ``activity_type`` in a period."""

    __tablename__ = "guildkit_group_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_groups.id"))
    name: Mapped[str] = mapped_column(sa.String(191))
    activity_type: Mapped[str] = mapped_column(sa.String(100))
    target: Mapped[int]
    starts_at: Mapped[datetime]
    #: ``None`` only for a recurring goal that runs until it is ended.
    ends_at: Mapped[datetime | None]
    #: ``monthly``: a fresh period each calendar month in the community's time zone.
    recurring: Mapped[str | None] = mapped_column(sa.String(16))
    #: Contributors with at least this many of the period's activities get the badge.
    min_contribution: Mapped[int] = mapped_column(default=1)
    #: The badge the group and its contributors earn.
    badge: Mapped[str] = mapped_column(sa.String(100))
    #: ``badge`` again when the goal defines it (``group-goal-<id>``) rather than naming one.
    defined_badge: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    #: One more with every change: their sum is the goals' part of the definitions version.
    revision: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("target > 0", name="target_positive"),
        sa.CheckConstraint("min_contribution > 0", name="min_contribution_positive"),
        sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("recurring IS NULL OR recurring = 'monthly'", name="recurring_known"),
        sa.CheckConstraint("ends_at IS NOT NULL OR recurring IS NOT NULL", name="ends_unless_recurring"),
        sa.Index("ix_guildkit_group_goals_group", "group_id", "activity_type"),
    )


class GroupGoalPeriod(Base):
    """A goal's counter for one period (a recurring goal has one per month)."""

    __tablename__ = "guildkit_group_goal_periods"

    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_group_goals.id"), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    period_end: Mapped[datetime | None]
    count: Mapped[int] = mapped_column(sa.BigInteger(), default=0)
    reached_at: Mapped[datetime | None]


class GroupGoalContribution(Base):
    """How many of a goal period's activities one member did."""

    __tablename__ = "guildkit_group_goal_contributions"

    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_group_goals.id"), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    count: Mapped[int] = mapped_column(sa.BigInteger(), default=0)


class GroupBadge(Base):
    """A badge a group earned together: one per goal and period, whatever the interleaving."""

    __tablename__ = "guildkit_group_badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_groups.id"))
    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_group_goals.id"))
    period_start: Mapped[datetime]
    badge: Mapped[str] = mapped_column(sa.String(100))
    reached_at: Mapped[datetime]
    #: When the contributors' badges went out (``None`` while due: the job retries).
    awarded_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("goal_id", "period_start", name="uq_guildkit_group_badges_goal_period"),
        sa.Index("ix_guildkit_group_badges_group", "group_id", "reached_at"),
    )
