"""Satisfaction surveys (CSAT 1-5 or NPS 0-10) and their responses; the KPI rollups.

A manager opens a survey for a period (``opens_at`` to ``closes_at``); members answer while it is
open. The database itself keeps the rules that must hold whatever the code does: one response per
member and survey (a unique constraint, so a double submit stores one row), and a score inside
the survey's scale. The response repeats its survey's ``kind`` so that a plain CHECK can bound the
score; the composite foreign key ``(survey_id, kind)`` makes sure that copy is the survey's kind.

The rollups (:mod:`.rollup` keeps them, :mod:`.rolled` reads them) hold the KPIs' numbers per
member and local day, per day and activity type, per day and point type, and per day, plus
calendar rows derived from the member-days (per member and week, per month and member, and
distinct members per calendar day, week and month: :mod:`.spans`); days are
proleptic Gregorian ordinals (``date.toordinal()``) in the community's time zone, so the
queries do day arithmetic with plain integers on both databases.
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


# -- KPI rollups (guildkit.analytics.rollup) ----------------------------------------------------

# Retractions the rollup has not seen yet are found by an anti-join over retracted activities:
# this partial index holds only those, so finding them never reads the live rows, and recording
# a live activity never writes to it.
sa.Index(
    "ix_guildkit_activities_retracted",
    _ACTIVITIES.c.id,
    sqlite_where=_ACTIVITIES.c.retracted_at.is_not(None),
    postgresql_where=_ACTIVITIES.c.retracted_at.is_not(None),
)


class RollupState(Base):
    """The rollups' one row: what they were built with, and how far they have read."""

    __tablename__ = "guildkit_analytics_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A hash of the settings the rows depend on (time zone, content, reply types, weights).
    settings: Mapped[str] = mapped_column(sa.String(64), default="")
    #: The highest activity, ledger row and badge award id rolled up (all below are final).
    activity_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    ledger_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    award_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    refreshed_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)


class MemberDay(Base):
    """One member's live, non-bookkeeping activities on one local day.

    ``prev_day`` (the member's previous active day) makes "distinct active members in days a…b"
    a plain count: the rows in a…b whose previous day is before a (or none). ``prev_content_day``
    does the same for content.
    """

    __tablename__ = "guildkit_analytics_member_days"

    member_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[int] = mapped_column(primary_key=True)
    activities: Mapped[int]
    #: Content activities (GUILDKIT_CONTENT_ACTIVITY_TYPES) among them.
    content: Mapped[int]
    #: The sum of their engagement weights (GUILDKIT_ENGAGEMENT_WEIGHTS).
    score: Mapped[float] = mapped_column(sa.Double)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    prev_day: Mapped[int | None]
    prev_content_day: Mapped[int | None]

    __table_args__ = (
        # Covering for every read by day (counts, scores, churn's window), so none of them
        # looks a row up; with the key (member_id, day) it holds the whole row.
        sa.Index(
            "ix_guildkit_analytics_member_days_day",
            "day",
            "prev_day",
            "content",
            "prev_content_day",
            "member_id",
            "score",
            "activities",
            "last_at",
        ),
        # Rows stored in key order, so a member's days are together (cohorts read them so).
        {"sqlite_with_rowid": False},
    )


class MemberWeek(Base):
    """A member active in one calendar week (Monday to Sunday, local), with the week they joined
    in: what :class:`CohortWeek` counts (:mod:`.spans`)."""

    __tablename__ = "guildkit_analytics_member_weeks"

    member_id: Mapped[int] = mapped_column(primary_key=True)
    #: The Monday's day ordinal.
    week: Mapped[int] = mapped_column(primary_key=True)
    #: The Monday of the local day of the member's ``joined_at`` (which never changes).
    cohort: Mapped[int]

    __table_args__ = (
        sa.Index("ix_guildkit_analytics_member_weeks_week", "week", "cohort"),
        {"sqlite_with_rowid": False},
    )


class CohortWeek(Base):
    """Members who joined in calendar week ``cohort`` and were active in calendar week ``week``,
    whatever their status: retention reads a whole cohort's whole week here, and takes off the
    erased members' rows as it reads (:mod:`.rolled`)."""

    __tablename__ = "guildkit_analytics_cohort_weeks"

    week: Mapped[int] = mapped_column(primary_key=True)
    cohort: Mapped[int] = mapped_column(primary_key=True)
    members: Mapped[int]

    __table_args__ = {"sqlite_with_rowid": False}


class MemberMonth(Base):
    """One member's activity in one calendar month: the engagement levels read a whole month's
    score here instead of summing the member's days (:mod:`.spans`)."""

    __tablename__ = "guildkit_analytics_member_months"

    #: The first day's ordinal; first in the key, so a range of months is one range of it.
    month: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(primary_key=True)
    score: Mapped[float] = mapped_column(sa.Double)
    content: Mapped[int]

    __table_args__ = {"sqlite_with_rowid": False}


class PeriodCount(Base):
    """Distinct members active and contributing in one calendar day, week or month: a bucket that
    is a whole one reads one row (:mod:`.spans`). Only periods with someone active have a row."""

    __tablename__ = "guildkit_analytics_period_counts"

    #: ``day``, ``week`` or ``month`` (the bucket names).
    span: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    #: The period's first day ordinal.
    start: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[int]
    contributing: Mapped[int]

    __table_args__ = {"sqlite_with_rowid": False}


class TypeDay(Base):
    """Live, non-bookkeeping activities of one type on one local day."""

    __tablename__ = "guildkit_analytics_type_days"

    day: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    activities: Mapped[int]

    __table_args__ = {"sqlite_with_rowid": False}


class PointDay(Base):
    """Points of one type issued (positive ledger amounts) and reversed on one local day."""

    __tablename__ = "guildkit_analytics_point_days"

    day: Mapped[int] = mapped_column(primary_key=True)
    point_type: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    issued: Mapped[int] = mapped_column(sa.BigInteger)
    reversed: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = {"sqlite_with_rowid": False}


class AwardDay(Base):
    """Badge levels awarded on one local day (revoked ones included)."""

    __tablename__ = "guildkit_analytics_award_days"

    day: Mapped[int] = mapped_column(primary_key=True)
    awards: Mapped[int]


class FirstPost(Base):
    """A member's first live content activity and the first reply to them at or after it."""

    __tablename__ = "guildkit_analytics_first_posts"

    member_id: Mapped[int] = mapped_column(primary_key=True)
    first_at: Mapped[datetime]
    reply_at: Mapped[datetime | None]


class SeenRetraction(Base):
    """A retracted activity whose retraction the rollups have taken in."""

    __tablename__ = "guildkit_analytics_retractions"

    activity_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)


ROLLUP_MODELS = (
    RollupState,
    MemberDay,
    MemberWeek,
    CohortWeek,
    MemberMonth,
    PeriodCount,
    TypeDay,
    PointDay,
    AwardDay,
    FirstPost,
    SeenRetraction,
)
