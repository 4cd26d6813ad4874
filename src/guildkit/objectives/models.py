"""Community objectives and the KPI readings their trends are drawn from.

An objective (``guildkit_objectives``) is a target on one of the analytics KPIs by a date: "MAU
at least 1,200 by 30 June". Its ``baseline`` is the KPI's value on its start date, captured then
(``baseline_at``; ``NULL`` while the start date is still to come). Its ``state`` moves by the table
in :mod:`.states`; ``outcome`` keeps the decision the due-date job made (``met`` or ``missed``)
while it is archived, so restoring it gives it back. The CHECKs tie them together: an active
objective has no outcome, a met or missed one has its own.

A reading (``guildkit_objective_readings``) is a KPI's value at the end of a past local day, as
analytics said when it was read: the points of the trends, shared by every objective on that KPI,
read once (primary key, ``ON CONFLICT DO NOTHING``). Today's value is always read live.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

STATES = ("active", "met", "missed", "archived")
OUTCOMES = ("met", "missed")
DIRECTIONS = ("at_least", "at_most")


class Objective(Base):
    """A target on one analytics KPI by a date, with the member who owns it."""

    __tablename__ = "guildkit_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(191))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: The KPI's key (``gk.analytics.kpis()``: ``mau``, ``first_response_hours`` …).
    kpi: Mapped[str] = mapped_column(sa.String(64))
    direction: Mapped[str] = mapped_column(sa.String(16))
    #: In the KPI's unit (members, a percentage from 0 to 100, hours).
    target: Mapped[float] = mapped_column(sa.Float)
    #: Local dates of the community's time zone; the objective is decided once ``due_on`` is over.
    starts_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    #: The KPI on ``starts_on``, captured then (``None`` while uncaptured, or nothing to measure).
    baseline: Mapped[float | None] = mapped_column(sa.Float)
    baseline_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(sa.String(16), default="active")
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    #: The KPI on ``due_on``, read when the objective was decided.
    final_value: Mapped[float | None] = mapped_column(sa.Float)
    decided_at: Mapped[datetime | None]
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("direction IN ('at_least', 'at_most')", name="direction"),
        sa.CheckConstraint("state IN ('active', 'met', 'missed', 'archived')", name="state"),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('met', 'missed')", name="outcome"),
        sa.CheckConstraint("state NOT IN ('met', 'missed') OR outcome = state", name="decided_has_outcome"),
        sa.CheckConstraint("state <> 'active' OR outcome IS NULL", name="active_undecided"),
        sa.CheckConstraint("due_on > starts_on", name="due_after_start"),
        # The job's two questions: which are due, which still need a baseline.
        sa.Index("ix_guildkit_objectives_state_due", "state", "due_on"),
        sa.Index("ix_guildkit_objectives_owner", "owner_id"),
    )


class ObjectiveReading(Base):
    """KPI ``kpi`` at the end of local day ``day``, as analytics said at ``taken_at``."""

    __tablename__ = "guildkit_objective_readings"

    kpi: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    value: Mapped[float | None] = mapped_column(sa.Float)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
