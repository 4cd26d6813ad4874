"""What moderation reads return: frozen views, and the queries that build them.

Views name members by host user id. Reads take a connection or a session (``conn``), so the
transaction bodies and the read methods share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.moderation.common import APPEALS, CASES, MEDIATIONS, MEMBERS, NOTES, REPORTS, SANCTIONS, STATEMENTS


@dataclass(frozen=True)
class ReportView:
    """A report; ``reporter`` is ``None`` for a system flag (``gk.moderation.flag``)."""

    id: int
    case_id: int
    reporter: str | None
    subject: str
    category: str
    comment: str
    created_at: datetime
    #: What it added to the case's severity: category weight x the reporter's trust weight.
    weight: int = 1
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True)
class CaseView:
    """A case; ``reports`` and ``notes`` are filled by :meth:`Moderation.case` only."""

    id: int
    subject: str
    user_id: str
    status: str
    severity: int
    report_count: int
    opened_at: datetime
    assigned_to: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    action: str | None
    reason: str | None
    #: Enough trusted members reported spam: the member's content is hidden while the case is open.
    hidden: bool = False
    #: The case's open mediation, if there is one.
    mediation_id: int | None = None
    reports: list[ReportView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)


@dataclass(frozen=True)
class SanctionView:
    """A sanction as the member sees it; ``active`` at the time it was read."""

    id: int
    user_id: str
    kind: str
    reason: str
    created_at: datetime
    until: datetime | None
    active: bool
    case_id: int | None
    #: An appeal overturned it: it no longer counts.
    overturned: bool = False


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor: str | None
    action: str
    target: str | None
    case_id: int | None
    reason: str
    details: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class StatementView:
    id: int
    author: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True)
class MediationView:
    """A mediation between the reported member (``respondent``) and another ``party``."""

    id: int
    case_id: int
    subject: str
    respondent: str
    party: str
    mediator: str
    state: str
    started_by: str | None
    started_at: datetime
    closed_at: datetime | None
    outcome: str | None
    statements: list[StatementView] = field(default_factory=list)

    def role_of(self, user_id: str | None) -> str | None:
        """``"respondent"``, ``"party"``, ``"mediator"`` or ``None``."""
        roles = {self.respondent: "respondent", self.party: "party", self.mediator: "mediator"}
        return None if user_id is None else roles.get(user_id)


@dataclass(frozen=True)
class AppealView:
    """An appeal of one action: a sanction (``sanction_id``) or a case's action (``case_id``)."""

    id: int
    user_id: str
    #: ``warn``, ``mute``, ``suspend``, ``ban`` (a sanction), ``revoke_badge`` or ``retract`` (a case).
    kind: str
    sanction_id: int | None
    case_id: int | None
    #: The moderator who took the action (``None``: host code or an API token).
    acted_by: str | None
    #: The reason the action was taken, as the member was told.
    action_reason: str
    statement: str
    state: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None


@dataclass(frozen=True)
class ActionView:
    """A moderation action about a member that they may appeal, with its appeal if there is one."""

    kind: str
    sanction_id: int | None
    case_id: int | None
    reason: str
    at: datetime
    until: datetime | None
    active: bool
    overturned: bool
    appeal: AppealView | None


# -- cases -----------------------------------------------------------------------------------

_ASSIGNEE, _RESOLVER, _REPORTED = MEMBERS.alias("assignee"), MEMBERS.alias("resolver"), MEMBERS.alias("reported")
_OPEN_MEDIATION = (
    sa.select(MEDIATIONS.c.id)
    .where(MEDIATIONS.c.case_id == CASES.c.id, MEDIATIONS.c.state == "open")
    .scalar_subquery()
    .label("mediation_id")
)
CASE_SELECT = (
    sa.select(
        CASES,
        _REPORTED.c.user_id.label("user_id"),
        _ASSIGNEE.c.user_id.label("assignee"),
        _RESOLVER.c.user_id.label("resolver"),
        _OPEN_MEDIATION,
    )
    .join(_REPORTED, _REPORTED.c.id == CASES.c.member_id)
    .outerjoin(_ASSIGNEE, _ASSIGNEE.c.id == CASES.c.assigned_to)
    .outerjoin(_RESOLVER, _RESOLVER.c.id == CASES.c.resolved_by)
)


def case_of(row: Any) -> CaseView:
    return CaseView(
        row.id,
        row.subject,
        row.user_id,
        row.status,
        row.severity,
        row.report_count,
        row.opened_at,
        row.assignee,
        row.resolved_at,
        row.resolver,
        row.action,
        row.reason,
        bool(row.hidden),
        row.mediation_id,
    )


def reports(conn: Any, case_id: int) -> list[ReportView]:
    reporter = MEMBERS.alias("reporter")
    return [
        ReportView(r.id, r.case_id, r.reporter, r.subject, r.category, r.comment, r.created_at, r.weight, r.details)
        for r in conn.execute(
            sa.select(REPORTS, reporter.c.user_id.label("reporter"))
            .outerjoin(reporter, reporter.c.id == REPORTS.c.reporter_id)
            .where(REPORTS.c.case_id == case_id)
            .order_by(REPORTS.c.id)
        )
    ]


def notes(conn: Any, case_id: int) -> list[NoteView]:
    return [
        NoteView(n.id, n.author, n.body, n.created_at)
        for n in conn.execute(
            sa.select(NOTES, MEMBERS.c.user_id.label("author"))
            .outerjoin(MEMBERS, MEMBERS.c.id == NOTES.c.author_id)
            .where(NOTES.c.case_id == case_id)
            .order_by(NOTES.c.id)
        )
    ]


def active(kind: str, until: datetime | None, lifted_at: datetime | None, now: datetime) -> bool:
    if kind == "warn" or lifted_at is not None:
        return False
    return until is None or until > now


# -- mediations ------------------------------------------------------------------------------

_RESPONDENT, _PARTY, _MEDIATOR, _STARTER = (MEMBERS.alias(n) for n in ("respondent", "party", "mediator", "starter"))
MEDIATION_SELECT = (
    sa.select(
        MEDIATIONS,
        CASES.c.subject,
        _RESPONDENT.c.user_id.label("respondent"),
        _PARTY.c.user_id.label("party"),
        _MEDIATOR.c.user_id.label("mediator"),
        _STARTER.c.user_id.label("starter"),
    )
    .join(CASES, CASES.c.id == MEDIATIONS.c.case_id)
    .join(_RESPONDENT, _RESPONDENT.c.id == MEDIATIONS.c.respondent_id)
    .join(_PARTY, _PARTY.c.id == MEDIATIONS.c.party_id)
    .join(_MEDIATOR, _MEDIATOR.c.id == MEDIATIONS.c.mediator_id)
    .outerjoin(_STARTER, _STARTER.c.id == MEDIATIONS.c.started_by)
)


def mediation_of(row: Any, statements: list[StatementView] | None = None) -> MediationView:
    return MediationView(
        row.id,
        row.case_id,
        row.subject,
        row.respondent,
        row.party,
        row.mediator,
        row.state,
        row.starter,
        row.started_at,
        row.closed_at,
        row.outcome,
        statements or [],
    )


def mediation(conn: Any, mediation_id: int, *, with_statements: bool = False) -> MediationView | None:
    row = conn.execute(MEDIATION_SELECT.where(MEDIATIONS.c.id == mediation_id)).first()
    if row is None:
        return None
    said = None
    if with_statements:
        said = [
            StatementView(s.id, s.author, s.body, s.created_at)
            for s in conn.execute(
                sa.select(STATEMENTS, MEMBERS.c.user_id.label("author"))
                .outerjoin(MEMBERS, MEMBERS.c.id == STATEMENTS.c.author_id)
                .where(STATEMENTS.c.mediation_id == mediation_id)
                .order_by(STATEMENTS.c.id)
            )
        ]
    return mediation_of(row, said)


# -- appeals ---------------------------------------------------------------------------------

_APPELLANT, _DECIDER = MEMBERS.alias("appellant"), MEMBERS.alias("decider")
_SANCTION_ACTOR, _CASE_ACTOR = MEMBERS.alias("sanction_actor"), MEMBERS.alias("case_actor")
_APPEALED_CASE = CASES.alias("appealed_case")
APPEAL_SELECT = (
    sa.select(
        APPEALS,
        _APPELLANT.c.user_id.label("appellant"),
        _DECIDER.c.user_id.label("decider"),
        SANCTIONS.c.kind.label("sanction_kind"),
        SANCTIONS.c.reason.label("sanction_reason"),
        SANCTIONS.c.created_by.label("sanction_by"),
        _SANCTION_ACTOR.c.user_id.label("sanction_actor"),
        _APPEALED_CASE.c.action.label("case_action"),
        _APPEALED_CASE.c.reason.label("case_reason"),
        _APPEALED_CASE.c.resolved_by.label("case_by"),
        _CASE_ACTOR.c.user_id.label("case_actor"),
    )
    .join(_APPELLANT, _APPELLANT.c.id == APPEALS.c.member_id)
    .outerjoin(_DECIDER, _DECIDER.c.id == APPEALS.c.decided_by)
    .outerjoin(SANCTIONS, SANCTIONS.c.id == APPEALS.c.sanction_id)
    .outerjoin(_SANCTION_ACTOR, _SANCTION_ACTOR.c.id == SANCTIONS.c.created_by)
    .outerjoin(_APPEALED_CASE, _APPEALED_CASE.c.id == APPEALS.c.case_id)
    .outerjoin(_CASE_ACTOR, _CASE_ACTOR.c.id == _APPEALED_CASE.c.resolved_by)
)


def appeal_of(row: Any) -> AppealView:
    on_sanction = row.sanction_id is not None
    return AppealView(
        row.id,
        row.appellant,
        row.sanction_kind if on_sanction else row.case_action,
        row.sanction_id,
        row.case_id,
        row.sanction_actor if on_sanction else row.case_actor,
        (row.sanction_reason if on_sanction else row.case_reason) or "",
        row.statement,
        row.state,
        row.created_at,
        row.decided_at,
        row.decider,
        row.decision_reason,
    )


def appeal(conn: Any, appeal_id: int) -> AppealView | None:
    row = conn.execute(APPEAL_SELECT.where(APPEALS.c.id == appeal_id)).first()
    return None if row is None else appeal_of(row)


def user_name(conn: Any, member_id: int) -> str:
    """The host user id of a member id."""
    return str(conn.scalar(sa.select(MEMBERS.c.user_id).where(MEMBERS.c.id == member_id)))
