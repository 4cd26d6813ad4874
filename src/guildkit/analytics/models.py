"""Satisfaction surveys (CSAT 1-5 or NPS 0-10) and their responses.

A manager opens a survey for a period (``opens_at`` to ``closes_at``); members answer while it is
open. The database itself keeps the rules that must hold whatever the code does: one response per
member and survey (a unique constraint, so a double submit stores one row), and a score inside
the survey's scale. The response repeats its survey's ``kind`` so that a plain CHECK can bound the
score; the composite foreign key ``(survey_id, kind)`` makes sure that copy is the survey's kind.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.activities import Activity
from guildkit.models.base import Base, table_of, utcnow
from guildkit.models.members import Member

_ACTIVITIES = table_of(Activity)
_MEMBERS = table_of(Member)

# Indexes the analytics queries need (guildkit.analytics), declared here so they stay with the
# queries that read them. Every KPI over activities filters on a time range of live activities
# and reads the actor and the type: this partial index covers them, so a period's "active
# members" or "activity by type" is an index range scan that never touches the table.
sa.Index(
    "ix_guildkit_activities_live_time",
    _ACTIVITIES.c.occurred_at,
    _ACTIVITIES.c.actor_id,
    _ACTIVITIES.c.type,
    sqlite_where=_ACTIVITIES.c.retracted_at.is_(None),
    postgresql_where=_ACTIVITIES.c.retracted_at.is_(None),
)
# New members per period and cohorts select members by when they joined.
sa.Index("ix_guildkit_members_joined", _MEMBERS.c.joined_at)

SURVEY_KINDS = ("csat", "nps")
#: The scores each kind accepts, inclusive.
SCORE_RANGES = {"csat": (1, 5), "nps": (0, 10)}


class Survey(Base):
    """A satisfaction survey, open from ``opens_at`` until ``closes_at``."""

    __tablename__ = "guildkit_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    question: Mapped[str] = mapped_column(sa.String(500))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("kind IN ('csat', 'nps')", name="kind"),
        sa.CheckConstraint("closes_at > opens_at", name="period"),
        # The target of the responses' composite foreign key.
        sa.UniqueConstraint("id", "kind", name="uq_guildkit_surveys_id_kind"),
        sa.Index("ix_guildkit_surveys_period", "opens_at", "closes_at"),
    )


class SurveyResponse(Base):
    """One member's answer to one survey."""

    __tablename__ = "guildkit_survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(8))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["survey_id", "kind"],
            ["guildkit_surveys.id", "guildkit_surveys.kind"],
            name="fk_guildkit_survey_responses_survey",
        ),
        sa.UniqueConstraint("survey_id", "member_id", name="uq_guildkit_survey_responses_once"),
        sa.CheckConstraint(
            "(kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'nps' AND score BETWEEN 0 AND 10)",
            name="score_range",
        ),
    )
