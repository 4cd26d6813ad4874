"""Badges and badge awards.

Awards are stored by badge slug and level (1-indexed), so a badge's definition can change
without a migration. A non-repeatable badge level is held at most once per member: a partial
unique index enforces it, whatever the application code does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

TIERS = ("bronze", "silver", "gold")


class Badge(Base):
    """A badge definition as stored (synced from code and rule files, or made by admins)."""

    __tablename__ = "guildkit_badges"

    slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(100), default="general")
    #: One dict per level: ``{"tier": ..., "name": ..., "description": ..., "threshold": ...}``.
    levels: Mapped[list[Any]] = mapped_column(default=list)
    repeatable: Mapped[bool] = mapped_column(default=False)
    secret: Mapped[bool] = mapped_column(default=False)
    image: Mapped[str | None] = mapped_column(sa.String(500))
    source: Mapped[str] = mapped_column(sa.String(100), default="code")
    archived: Mapped[bool] = mapped_column(default=False)


class BadgeAward(Base):
    """A badge level earned by a member, traceable to the activity and rule that caused it."""

    __tablename__ = "guildkit_badge_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    badge_slug: Mapped[str] = mapped_column(sa.ForeignKey("guildkit_badges.slug"))
    level: Mapped[int] = mapped_column(default=1)
    once: Mapped[bool] = mapped_column(default=True)
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_activities.id"))
    rule: Mapped[str] = mapped_column(sa.String(191))
    #: ``event`` (belongs to its activity), ``threshold`` (held while a metric holds) or ``manual``.
    mode: Mapped[str] = mapped_column(sa.String(16), default="event")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_activities.id"))

    __table_args__ = (
        sa.Index(
            "uq_guildkit_badge_awards_once",
            "member_id",
            "badge_slug",
            "level",
            unique=True,
            sqlite_where=sa.text("once AND revoked_at IS NULL"),
            postgresql_where=sa.text("once AND revoked_at IS NULL"),
        ),
        sa.Index("ix_guildkit_badge_awards_badge", "badge_slug", "awarded_at"),
        sa.Index("ix_guildkit_badge_awards_activity", "activity_id"),
        sa.CheckConstraint("level >= 1", name="level_positive"),
    )
