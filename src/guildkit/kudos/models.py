"""Kudos and the budgets they are given from.

A kudos (``guildkit_kudos``) is one member thanking another with a short message. The giver's
``key`` is the idempotency key of the give (unique per giver): sent again, it returns the first
kudos and spends nothing. ``activity_id`` is the ``kudos.given`` activity recorded with it, which
the rules reward; a kudos whose activity was retracted is no longer shown.

A budget row (``guildkit_kudos_budgets``) counts what a member gave in one period (the period's
first day, in the community's time zone). Its primary key makes the row once, whoever gets
there first; giving moves ``used`` up only ``WHERE used < budget``, in the transaction that
stores the kudos, so no two gives at once can spend more than the budget.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base


class Kudos(Base):
    """One member's kudos to another, with its message."""

    __tablename__ = "guildkit_kudos"

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    receiver_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: Emptied when the giver's data is erased (``privacy.py``).
    message: Mapped[str] = mapped_column(sa.Text)
    given_at: Mapped[datetime]
    #: The first day of the budget period it was given in (the community's time zone).
    period: Mapped[date] = mapped_column(sa.Date)
    #: The giver's idempotency key for this give.
    key: Mapped[str] = mapped_column(sa.String(100))
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_activities.id"))

    __table_args__ = (
        sa.UniqueConstraint("giver_id", "key"),
        sa.CheckConstraint("giver_id <> receiver_id", name="not_to_oneself"),
        # The wall, and a member's kudos received and given, newest first.
        sa.Index("ix_guildkit_kudos_given_at", "given_at", "id"),
        sa.Index("ix_guildkit_kudos_receiver", "receiver_id", "given_at", "id"),
        sa.Index("ix_guildkit_kudos_giver", "giver_id", "given_at", "id"),
    )


class KudosBudget(Base):
    """What one member gave in one budget period."""

    __tablename__ = "guildkit_kudos_budgets"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    period: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    used: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("used >= 0", name="used_not_negative"),)
