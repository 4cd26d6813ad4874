"""Activities (what the host reports), the counters rules read, and recorded hook failures.

Counters are kept incrementally as activities arrive, so a rule's cost does not grow with a
member's history: ``guildkit_counters`` holds named integers per member (counts, streaks, daily
totals); ``guildkit_distinct`` remembers which values a member has already been counted for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow


class Activity(Base):
    """Something a host user did. ``key`` is the idempotency key: unique, forever."""

    __tablename__ = "guildkit_activities"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(191), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    target_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    subject: Mapped[str | None] = mapped_column(sa.String(191))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: sha256 of the content that defines the activity, to tell a replay from a conflict.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    retracted_at: Mapped[datetime | None]
    retract_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: When the retention policy dropped the payload (guildkit.retention); such a row still
    #: dedupes replays by ``key`` and ``fingerprint`` but can no longer be retracted.
    compacted_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ix_guildkit_activities_actor", "actor_id", "occurred_at"),
        sa.Index("ix_guildkit_activities_target", "target_id", "occurred_at"),
        sa.Index("ix_guildkit_activities_type", "type", "occurred_at"),
        sa.Index("ix_guildkit_activities_subject", "subject"),
    )


class Counter(Base):
    """A named integer per member, updated in the same transaction as the activity."""

    __tablename__ = "guildkit_counters"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(191), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class DistinctValue(Base):
    """How many live activities counted ``value`` toward a member's distinct counter ``name``."""

    __tablename__ = "guildkit_distinct"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(191), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(191), primary_key=True)
    uses: Mapped[int] = mapped_column(default=0)


class HookFailure(Base):
    """A plugin hook that raised. Recorded, logged, and never allowed to undo an award."""

    __tablename__ = "guildkit_hook_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(sa.String(191))
    hook: Mapped[str] = mapped_column(sa.String(191))
    error: Mapped[str] = mapped_column(sa.Text)
    activity_key: Mapped[str | None] = mapped_column(sa.String(191))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
