"""Moderation: reports, the cases they group into, moderators' notes, sanctions and the audit log.

Reports on the same subject (``answer:42``) group into one open case: a partial unique index
allows at most one *open* case per subject, so a later report after a resolution opens a new one.
A sanction (warning, mute, suspension, ban) is what a member sees; the audit log is what
moderators see: every moderation action with who did it, to whom, in which case and why.

A mediation turns an open case into a conversation between two members led by a moderator
(one open mediation per case, by a partial unique index); an appeal asks another moderator to
look at a sanction or a case's action again (one appeal per action, by unique constraints).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

REPORT_CATEGORIES = ("spam", "harassment", "off-topic", "other")
CASE_STATES = ("open", "resolved")
SANCTION_KINDS = ("warn", "mute", "suspend", "ban")
MEDIATION_STATES = ("open", "agreed", "abandoned")
APPEAL_STATES = ("pending", "upheld", "overturned")


class ModerationCase(Base):
    """The reports on one subject, until a moderator resolves them."""

    __tablename__ = "guildkit_moderation_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The host's reference to what was reported (``answer:42``, ``member:7``).
    subject: Mapped[str] = mapped_column(sa.String(191))
    #: The member whose content or behaviour was reported.
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    #: The sum of the reports' weights (harassment counts more), for ordering the queue.
    severity: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_to: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: The action taken (``dismiss``, ``warn``, ``mute`` …) and the moderator's reason.
    action: Mapped[str | None] = mapped_column(sa.String(32))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Enough trusted members reported spam: the member's content is hidden while the case is open.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'resolved')", name="case_status"),
        sa.Index(
            "guildkit_moderation_cases_one_open",
            "subject",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("guildkit_moderation_cases_status", "status", "severity"),
    )


class Report(Base):
    """One member's report of a subject (a member reports a subject once), or a system flag
    (``reporter_id`` NULL: host code such as an anti-abuse job; one per open case)."""

    __tablename__ = "guildkit_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_moderation_cases.id"))
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    subject: Mapped[str] = mapped_column(sa.String(191))
    category: Mapped[str] = mapped_column(sa.String(32))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The reporter's trust level when they reported (NULL for a system flag): hiding counts it.
    reporter_level: Mapped[int | None]
    #: What the report added to the case's severity (category weight x trust weight).
    weight: Mapped[int] = mapped_column(default=1, server_default="1")
    #: What a system flag found (the detector's evidence); NULL for members' reports.
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON())

    __table_args__ = (
        sa.UniqueConstraint("reporter_id", "subject"),
        sa.CheckConstraint("category IN ('spam', 'harassment', 'off-topic', 'other')", name="report_category"),
    )


class CaseNote(Base):
    """A moderator's private note on a case (members never see these)."""

    __tablename__ = "guildkit_case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_moderation_cases.id"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sanction(Base):
    """A warning, mute, suspension or ban of a member, with its reason and (for some) an end."""

    __tablename__ = "guildkit_sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_moderation_cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: When a mute or suspension ends (``None``: it does not, or it is a warning).
    until: Mapped[datetime | None]
    #: When the sweep lifted a suspension whose period ended, or an appeal overturned the sanction.
    lifted_at: Mapped[datetime | None]
    #: When an appeal overturned the sanction (it no longer counts, and the member sees so).
    overturned_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint("kind IN ('warn', 'mute', 'suspend', 'ban')", name="sanction_kind"),)


class Mediation(Base):
    """A case worked out between the reported member and another party, led by a mediator."""

    __tablename__ = "guildkit_mediations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_moderation_cases.id"), index=True)
    #: The reported member.
    respondent_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: The other party (by default the case's first reporter).
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    #: The moderator leading it (never a party).
    mediator_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    state: Mapped[str] = mapped_column(sa.String(16), default="open")
    started_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    #: The agreed outcome, or why the mediation was abandoned.
    outcome: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.CheckConstraint("state IN ('open', 'agreed', 'abandoned')", name="mediation_state"),
        sa.CheckConstraint("respondent_id <> party_id", name="mediation_two_parties"),
        sa.Index(
            "guildkit_mediations_one_open",
            "case_id",
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        ),
    )


class MediationStatement(Base):
    """What a party or the mediator said in a mediation (only they and moderators read it)."""

    __tablename__ = "guildkit_mediation_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_mediations.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Appeal(Base):
    """A sanctioned member's appeal of one action: a sanction, or a case's ``revoke_badge`` or
    ``retract``. Exactly one of ``sanction_id`` and ``case_id`` is set; each is unique, so an
    action is appealed once."""

    __tablename__ = "guildkit_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), index=True)
    sanction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_sanctions.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_moderation_cases.id"), unique=True)
    statement: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'upheld', 'overturned')", name="appeal_state"),
        sa.CheckConstraint("(sanction_id IS NULL) <> (case_id IS NULL)", name="appeal_one_action"),
        sa.Index("guildkit_appeals_state", "state", "created_at"),
    )


#: Every moderation table, in the order they are made.
MODELS = (ModerationCase, Report, CaseNote, Sanction, Mediation, MediationStatement, Appeal)
