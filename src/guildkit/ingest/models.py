"""The inbox: activities accepted for later (``gk.record(..., wait=False)``), one row each.

A row is the validated input, stored with one insert: everything ``ActivityInput.build`` needs to
build it again, and its fingerprint to tell a replay from a conflict. The key is unique here as it
is in ``guildkit_activities``. A row lives while it is ``pending`` (waiting for the drain) or
``failed`` (recording it raised a guildkit error, kept with that error until someone retries or
deletes it); the drain deletes it in the transaction that records the activity, so a recorded
activity is found in ``guildkit_activities`` alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base

#: What an inbox row may be; a recorded activity has no row.
STATUSES = ("pending", "failed")


class InboxEntry(Base):
    """An activity accepted for later, not recorded yet."""

    __tablename__ = "guildkit_ingest_inbox"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(191), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    actor: Mapped[str | None] = mapped_column(sa.String(191))
    target: Mapped[str | None] = mapped_column(sa.String(191))
    subject: Mapped[str | None] = mapped_column(sa.String(191))
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    accepted_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    #: Why recording it failed: the error's code and its message.
    error_code: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'failed')", name="status"),
        # The drain takes the oldest pending rows first.
        sa.Index("ix_guildkit_ingest_inbox_status", "status", "id"),
    )
