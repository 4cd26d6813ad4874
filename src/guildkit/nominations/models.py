"""Nominations and the approvers' votes on them.

A nomination names a nominee, a badge level and the nominator's reason. It keeps the approval
rule in force when it was made (``needed`` approvals from holders of ``role``), so changing the
config never moves a nomination already under way, and counts its approvals in ``approvals``
(changed only with its row locked). Its ``state`` follows :mod:`guildkit.nominations.states`.

The database holds the rules that races could break:

* one **pending** nomination per nominee and badge level (a partial unique index, ``WHERE state
  = 'pending'``): a second one fails however the two requests interleave;
* one vote per approver and nomination (a unique constraint);
* ``approvals`` never exceeds ``needed``, and only an approved nomination has as many.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

#: Where a nomination may be (see :mod:`guildkit.nominations.states`).
STATES = ("pending", "approved", "rejected", "withdrawn", "expired")
#: What an approver may say.
DECISIONS = ("approve", "reject")
#: The longest reason a nomination, a vote or a withdrawal keeps.
REASON_MAX = 2000

_PENDING = sa.text("state = 'pending'")


class Nomination(Base):
    """A member nominated for a badge level by another member, with a reason."""

    __tablename__ = "guildkit_nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    nominator_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    badge: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str] = mapped_column(sa.Text)
    #: ``pending``, ``approved``, ``rejected``, ``withdrawn`` or ``expired``.
    state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    #: The approvals it takes, and the role approvers must hold, as configured when it was made.
    needed: Mapped[int]
    role: Mapped[str] = mapped_column(sa.String(100))
    #: Approvals so far.
    approvals: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When a pending nomination expires (``None``: never).
    expires_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    #: Who ended it: the last approver, the approver who rejected, the nominator who withdrew
    #: (``None`` while pending, and when it expired).
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: The nominator's reason for withdrawing, if they gave one.
    withdraw_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: The key of the ``guildkit.award`` activity that gave the badge (approved only).
    award_key: Mapped[str | None] = mapped_column(sa.String(191))

    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'approved', 'rejected', 'withdrawn', 'expired')", name="state_known"),
        sa.CheckConstraint("nominee_id <> nominator_id", name="not_self"),
        sa.CheckConstraint("level >= 1", name="level_positive"),
        sa.CheckConstraint("needed >= 1", name="needed_positive"),
        sa.CheckConstraint("approvals >= 0 AND approvals <= needed", name="approvals_in_range"),
        sa.CheckConstraint("state = 'approved' OR approvals < needed", name="approved_when_reached"),
        sa.Index(
            "uq_guildkit_nominations_pending",
            "nominee_id",
            "badge",
            "level",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        sa.Index("ix_guildkit_nominations_state", "state", "id"),
        sa.Index("ix_guildkit_nominations_nominator", "nominator_id", "id"),
        sa.Index("ix_guildkit_nominations_nominee", "nominee_id", "id"),
    )


class NominationVote(Base):
    """One approver's decision on a nomination, with their reason: one each."""

    __tablename__ = "guildkit_nomination_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_nominations.id"))
    approver_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: ``approve`` or ``reject``.
    decision: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("nomination_id", "approver_id"),
        sa.CheckConstraint("decision IN ('approve', 'reject')", name="decision_known"),
        sa.Index("ix_guildkit_nomination_votes_approver", "approver_id", "id"),
    )
