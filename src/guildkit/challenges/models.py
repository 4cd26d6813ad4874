"""Challenges, their steps, who takes part, and each participant's count on each step.

A challenge is a half-open range ``[starts_at, ends_at)`` with one or more steps (an activity
type and a count, at ``position`` 1, 2 …). Members join it (``audience = "individual"``), or
join one of their groups to it (``"group"``: a group's members' activities count for the group).
Joining writes a participant and one progress row per step; recording an activity then moves
the matching progress rows by one atomic ``UPDATE`` (:mod:`guildkit.challenges.progress`), so
the cost of an activity never depends on how much history there is.

The progress rows carry what that ``UPDATE`` needs (the member or group, the activity type, the
window, whether the step is open), so it reads no other table: ``active`` is true while the step
counts (in order: only the first unfinished one), ``count`` stops at ``target``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

AUDIENCES = ("individual", "group")
RECURRENCES = ("none", "weekly")


class Challenge(Base):
    """A time-boxed challenge of one or more steps."""

    __tablename__ = "guildkit_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: ``individual`` (members join) or ``group`` (members join one of their groups).
    audience: Mapped[str] = mapped_column(sa.String(16))
    #: The group the challenge belongs to (made by its owner): only its members, or only it, join.
    group_id: Mapped[int | None]
    #: The steps count one after the other: a later step only once the earlier ones are done.
    ordered: Mapped[bool] = mapped_column(default=False)
    reward_points: Mapped[int | None]
    reward_point_type: Mapped[str | None] = mapped_column(sa.String(100))
    #: The badge completing it awards (the series' own badge: ``defined_badge`` of its first instance).
    badge: Mapped[str | None] = mapped_column(sa.String(100))
    #: ``badge`` again on the challenge that defines it (the first of a weekly series): unique.
    defined_badge: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    recurrence: Mapped[str] = mapped_column(sa.String(16), default="none")
    #: The first instance of a weekly series (``None`` on the first itself).
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_challenges.id"))
    #: The instance this one follows: unique, so a week is opened once whoever opens it.
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_challenges.id"), unique=True)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Closed early by a manager: nothing counts any more, and a weekly series ends with it.
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: When the job stopped its progress rows counting, after its end (keeps the open rows few).
    settled_at: Mapped[datetime | None]
    #: One more with every change to what it defines: their sum is part of the definitions version.
    revision: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("audience IN ('individual', 'group')", name="audience_known"),
        sa.CheckConstraint("recurrence IN ('none', 'weekly')", name="recurrence_known"),
        sa.CheckConstraint("reward_points IS NULL OR reward_points > 0", name="reward_positive"),
        sa.CheckConstraint("(reward_points IS NULL) = (reward_point_type IS NULL)", name="reward_with_type"),
        sa.CheckConstraint("defined_badge IS NULL OR defined_badge = badge", name="defined_badge_is_badge"),
        # Recording asks for the challenges not ended yet; lists page through them by their end.
        sa.Index("ix_guildkit_challenges_ends_at", "ends_at", "id"),
        # The job: ended challenges not settled yet, and the weekly instances near their end.
        sa.Index(
            "ix_guildkit_challenges_unsettled",
            "ends_at",
            sqlite_where=sa.text("settled_at IS NULL"),
            postgresql_where=sa.text("settled_at IS NULL"),
        ),
        sa.Index("ix_guildkit_challenges_weekly", "recurrence", "ends_at"),
    )


class ChallengeStep(Base):
    """One step: ``count`` activities of ``activity_type``.

    The challenge's audience and window are copied here (``open`` is false once it is closed
    early): recording asks which steps count an activity type now, in one seek of
    ``ix_guildkit_challenge_steps_counting``, whatever the number of challenges there ever were.
    """

    __tablename__ = "guildkit_challenge_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_challenges.id"))
    position: Mapped[int]
    activity_type: Mapped[str] = mapped_column(sa.String(100))
    count: Mapped[int]
    audience: Mapped[str] = mapped_column(sa.String(16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    open: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("challenge_id", "position", name="uq_guildkit_challenge_steps_position"),
        sa.CheckConstraint("count > 0", name="count_positive"),
        sa.CheckConstraint("position > 0", name="position_positive"),
        sa.Index("ix_guildkit_challenge_steps_counting", "activity_type", "ends_at"),
    )


class ChallengeParticipant(Base):
    """A member, or a group, taking part; ``completed_at`` is written once, by the step that ends it."""

    __tablename__ = "guildkit_challenge_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_challenges.id"))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    group_id: Mapped[int | None]
    #: Who joined (the member, or the group's member who entered it).
    joined_by: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    joined_at: Mapped[datetime]
    steps_done: Mapped[int] = mapped_column(default=0)
    steps_total: Mapped[int]
    completed_at: Mapped[datetime | None]
    #: When the reward was recorded (with the completion for a member; just after it for a group).
    awarded_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("challenge_id", "member_id", name="uq_guildkit_challenge_participants_member"),
        sa.UniqueConstraint("challenge_id", "group_id", name="uq_guildkit_challenge_participants_group"),
        sa.CheckConstraint("(member_id IS NULL) <> (group_id IS NULL)", name="member_or_group"),
        sa.CheckConstraint("steps_done >= 0 AND steps_done <= steps_total", name="steps_in_range"),
        sa.CheckConstraint("(completed_at IS NULL) = (steps_done < steps_total)", name="completed_when_done"),
        sa.Index("ix_guildkit_challenge_participants_listing", "challenge_id", "joined_at", "id"),
        sa.Index("ix_guildkit_challenge_participants_member", "member_id", "challenge_id"),
        # The job's rewards due: completed, not rewarded (a few rows, whatever the history).
        sa.Index(
            "ix_guildkit_challenge_participants_due",
            "id",
            sqlite_where=sa.text("completed_at IS NOT NULL AND awarded_at IS NULL"),
            postgresql_where=sa.text("completed_at IS NOT NULL AND awarded_at IS NULL"),
        ),
    )


class ChallengeProgress(Base):
    """A participant's count on one step: moved by one ``UPDATE`` per matching activity."""

    __tablename__ = "guildkit_challenge_progress"

    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_challenge_participants.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_challenges.id"))
    #: The participant's member or group (one of them), copied: the counting ``UPDATE`` keys on it.
    member_id: Mapped[int | None]
    group_id: Mapped[int | None]
    activity_type: Mapped[str] = mapped_column(sa.String(100))
    target: Mapped[int]
    count: Mapped[int] = mapped_column(default=0)
    #: The step counts now: open, unfinished, and (in order) its earlier steps finished.
    active: Mapped[bool]
    #: Activities that occurred in ``[counts_from, ends_at)`` count: from joining (or the start).
    counts_from: Mapped[datetime]
    ends_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("count >= 0 AND count <= target", name="count_in_range"),
        sa.Index("ix_guildkit_challenge_progress_member", "member_id", "activity_type", "active"),
        sa.Index("ix_guildkit_challenge_progress_group", "group_id", "activity_type", "active"),
        sa.Index("ix_guildkit_challenge_progress_challenge", "challenge_id", "active"),
    )
