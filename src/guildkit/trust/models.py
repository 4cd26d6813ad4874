"""Trust levels: one row per member who has been evaluated or set by staff, and the sweep log.

A member without a row is at level 0. ``lapsed_since`` records when a level-3 member stopped
meeting the level-3 criteria; they keep the level until the grace period has passed. Every
change of level is also an activity (``guildkit.trust_level``), so the history is in the log.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

TRUST_LEVELS = (0, 1, 2, 3, 4)


class TrustLevel(Base):
    """A member's trust level, whether staff locked it, and since when it lapsed (level 3)."""

    __tablename__ = "guildkit_trust_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), unique=True)
    level: Mapped[int] = mapped_column(default=0)
    #: Locked by staff: evaluation never changes the level.
    locked: Mapped[bool] = mapped_column(default=False)
    locked_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: Why the level was last set or locked by staff ("" for automatic changes).
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    since: Mapped[datetime] = mapped_column(default=utcnow)
    lapsed_since: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint("level >= 0 AND level <= 4", name="level_range"),)


class TrustSweep(Base):
    """One run of ``gk.trust.sweep()``: the next run evaluates members active after ``last_activity_id``."""

    __tablename__ = "guildkit_trust_sweeps"

    id: Mapped[int] = mapped_column(primary_key=True)
    swept_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0)
    evaluated: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
