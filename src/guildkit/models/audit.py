"""The audit log's table: one row per staff action (admin console, moderation, API tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow


class AuditRecord(Base):
    """Who did what to what, why, and the details; written in the action's own transaction."""

    __tablename__ = "guildkit_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which part of guildkit acted: ``admin``, ``moderation``, ``tokens`` (features may add theirs).
    area: Mapped[str] = mapped_column(sa.String(32))
    #: The acting host user id, ``cli`` or another ``via`` for host code, or ``None``.
    actor: Mapped[str | None] = mapped_column(sa.String(191))
    action: Mapped[str] = mapped_column(sa.String(64))
    #: What the action was about: ``badge:<slug>``, ``role:<slug>``, ``member:<user id>``, ``token:<id>``.
    target: Mapped[str | None] = mapped_column(sa.String(191))
    #: The member the action concerns, when it concerns one (a sanction, an appeal …).
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: What the action is filed under, for reading it back there: ``case:<id>``.
    subject: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.Index("ix_guildkit_audit_area", "area", "id"),
        sa.Index("ix_guildkit_audit_actor", "actor", "id"),
        sa.Index("ix_guildkit_audit_action", "action", "id"),
        sa.Index("ix_guildkit_audit_subject", "subject", "id"),
        sa.Index("ix_guildkit_audit_at", "at"),
    )
