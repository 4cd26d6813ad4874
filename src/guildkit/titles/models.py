"""The badge each member chose as their title (``guildkit_member_titles``): one row per member.

The row names the badge by slug; whether it shows is decided when it is read (the member must
still hold the badge), so a revoked badge stops showing without anything written here.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow


class MemberTitle(Base):
    """A member's chosen title: a badge they held when they chose it."""

    __tablename__ = "guildkit_member_titles"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    badge: Mapped[str] = mapped_column(sa.String(100))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
