"""Tables behind the web layer: API tokens and in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow


class ApiToken(Base):
    """A server-to-server token. Only its SHA-256 is stored; the token is shown once, at creation."""

    __tablename__ = "guildkit_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    #: The first characters of the token, to tell tokens apart in lists and logs.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(sa.String(191))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Notification(Base):
    """Something a member should hear about ("you earned Gold Answerer"), written with the award."""

    __tablename__ = "guildkit_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    kind: Mapped[str] = mapped_column(sa.String(50))
    text: Mapped[str] = mapped_column(sa.Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_activities.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (sa.Index("ix_guildkit_notifications_member", "member_id", "id"),)
