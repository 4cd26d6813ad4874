"""The streaks feature's tables: freezes held, the log of freezes earned, granted and used, and
declared absences.

A member's balance (``guildkit_streak_freezes``) is moved only by conditional updates in the
database (``held = held - n WHERE held >= n``, ``held + 1 WHERE held < max``), under a check that
``held`` is never negative, so two transactions at once can never spend a freeze twice.

Each freeze earned, granted or used is a row of the log (``guildkit_streak_freeze_log``): a use
names the streak and the day it covered (one row a day: a recount finds those days again and
treats them as bridged, spending nothing), an earning the streak and the day its run reached the
milestone (unique: reaching it twice on one day earns once). An absence
(``guildkit_streak_absences``) covers its days from ``starts_on`` to ``ends_on``, both included.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base

#: What a log row records.
KINDS = ("earned", "granted", "used")


class StreakFreezes(Base):
    """How many freezes a member holds."""

    __tablename__ = "guildkit_streak_freezes"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    held: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("held >= 0", name="held_not_negative"),)


class FreezeLogEntry(Base):
    """One freeze earned, granted or used."""

    __tablename__ = "guildkit_streak_freeze_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: ``earned``, ``granted`` or ``used``.
    kind: Mapped[str] = mapped_column(sa.String(10))
    #: How many freezes (a grant may give several; an earning or a use is one).
    count: Mapped[int] = mapped_column(default=1)
    #: The streak, as ``<activity type>:<role>`` ("" for a grant).
    streak: Mapped[str] = mapped_column(sa.String(120), default="")
    #: The day a use covered, or the day a run earned a freeze (the member's own day).
    day: Mapped[date | None] = mapped_column(sa.Date)
    at: Mapped[datetime]
    #: Why (a grant's reason, as the staff member wrote it).
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Who granted it (a host user id), for a grant.
    by: Mapped[str | None] = mapped_column(sa.String(191))

    __table_args__ = (
        sa.UniqueConstraint("member_id", "kind", "streak", "day"),
        sa.CheckConstraint("kind IN ('earned', 'granted', 'used')", name="known_kind"),
        sa.CheckConstraint("count > 0", name="count_positive"),
        sa.Index("ix_guildkit_streak_freeze_log_member", "member_id", "at", "id"),
    )


class Absence(Base):
    """Days a member declared they will be away: their streaks wait for them."""

    __tablename__ = "guildkit_streak_absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    declared_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_guildkit_streak_absences_member", "member_id", "starts_on"),
    )
