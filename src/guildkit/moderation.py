"""Reports, the moderation queue, sanctions and the audit log, ``gk.moderation`` (docs/moderation.md).

* :meth:`Moderation.report`: an active member reports a member's content (``subject``) with a
  category and a comment. Reports on one subject group into its one open case; the case's
  severity is the sum of its reports' weights (:data:`WEIGHTS`: harassment counts 3, others 1).
* Moderators (``members.manage``) read the queue (:meth:`Moderation.queue`: most severe first,
  then oldest), assign a case to themselves, add private notes and :meth:`Moderation.resolve` it
  with an action (:data:`ACTIONS`). Each action needs a reason and writes an audit row in the same
  transaction as its effect. Nobody moderates a case about themself.
* Sanctions: a warning is only shown; a mute denies every privilege (``gk.can``) until it ends,
  checked at the time of asking; a suspension sets the member's status to ``suspended`` and
  ``flask guildkit moderation sweep`` (:meth:`Moderation.sweep`) lifts it once its period ended;
  a ban sets ``banned`` for good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .builtin.manual import REVOKE, STATUS
from .definitions import check_text
from .errors import NotAllowed, UnknownActivity, UnknownBadge, UnknownCase, ValidationError
from .models import (
    REPORT_CATEGORIES,
    Activity,
    CaseNote,
    Member,
    ModerationAudit,
    ModerationCase,
    Report,
    Sanction,
    table_of,
)

if TYPE_CHECKING:
    from .extension import GuildKit
    from .transaction import Transaction

#: How much one report of each category adds to its case's severity.
WEIGHTS = {"spam": 1, "harassment": 3, "off-topic": 1, "other": 1}
#: What resolving a case can do to the reported member.
ACTIONS = ("dismiss", "warn", "mute", "suspend", "ban", "revoke_badge", "retract")
#: Actions with a period (``hours``; a suspension without one lasts until lifted by hand).
TIMED = ("mute", "suspend")
SUBJECT_MAX = 191
TEXT_MAX = 2000
MAX_HOURS = 24 * 365 * 10

CASES = table_of(ModerationCase)
REPORTS = table_of(Report)
NOTES = table_of(CaseNote)
SANCTIONS = table_of(Sanction)
AUDIT = table_of(ModerationAudit)
MEMBERS = table_of(Member)
ACTIVITIES = table_of(Activity)


@dataclass(frozen=True)
class ReportView:
    id: int
    case_id: int
    reporter: str
    subject: str
    category: str
    comment: str
    created_at: datetime


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


class Moderation:
    """Moderation for one :class:`~guildkit.GuildKit`; methods take host user ids (``by=None``: host code)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def _require_moderator(self, by: str | int | None) -> str | None:
        if by is None:
            return None
        if not self.gk.has_permission(by, "members.manage"):
            raise NotAllowed(f"only moderators may do this, and {str(by)!r} is not one", user_id=str(by))
        return str(by)

    # -- reporting -------------------------------------------------------------------------

    def report(
        self, reporter: str | int, *, subject: str, user_id: str | int, category: str, comment: str = ""
    ) -> ReportView:
        """Report ``user_id``'s ``subject``; returns the report (its ``case_id`` names the case).

        Raises :class:`~guildkit.errors.ValidationError` (naming the field) for a bad subject,
        category or comment, for reporting yourself, and for reporting a subject twice;
        :class:`~guildkit.errors.MemberInactive` for a reporter who is not active.
        """
        check_text(subject, "subject", max_length=SUBJECT_MAX)
        if category not in REPORT_CATEGORIES:
            raise ValidationError(f"category must be one of {', '.join(REPORT_CATEGORIES)}", field="category")
        check_text(comment, "comment", max_length=TEXT_MAX, empty=True)
        who, whom = str(reporter), str(user_id)
        if who == whom:
            raise ValidationError("you cannot report yourself", field="user_id")
        self.gk.member(whom)  # UnknownMember: reports name members

        def write(tx: Transaction) -> ReportView:
            if tx.dialect == "postgresql":
                # One reporter at a time, so two reports of a new subject never open two cases
                # (SQLite's BEGIN IMMEDIATE already serializes writers); the partial index is the backstop.
                tx.conn.exec_driver_sql(f"LOCK TABLE {CASES.name} IN SHARE ROW EXCLUSIVE MODE")
            reporter_id = tx.members(who)[who]
            member_id = tx.members(whom, active=False)[whom]
            if tx.conn.scalar(
                sa.select(REPORTS.c.id).where(REPORTS.c.reporter_id == reporter_id, REPORTS.c.subject == subject)
            ):
                raise ValidationError("you already reported this", field="subject")
            case_id = tx.conn.scalar(sa.select(CASES.c.id).where(CASES.c.subject == subject, CASES.c.status == "open"))
            if case_id is None:
                case_id = tx.conn.execute(
                    sa.insert(CASES)
                    .values(subject=subject, member_id=member_id, status="open", opened_at=tx.now)
                    .returning(CASES.c.id)
                ).scalar_one()
            tx.conn.execute(
                CASES.update()
                .where(CASES.c.id == case_id)
                .values(severity=CASES.c.severity + WEIGHTS[category], report_count=CASES.c.report_count + 1)
            )
            report_id = tx.conn.execute(
                sa.insert(REPORTS)
                .values(
                    case_id=case_id,
                    reporter_id=reporter_id,
                    subject=subject,
                    category=category,
                    comment=comment,
                    created_at=tx.now,
                )
                .returning(REPORTS.c.id)
            ).scalar_one()
            return ReportView(report_id, case_id, who, subject, category, comment, tx.now)

        return self.gk.transaction(write)

    # -- the queue -------------------------------------------------------------------------

    def queue(self, by: str | int | None, *, limit: int = 50) -> list[CaseView]:
        """Open cases, most severe first, then oldest first (moderators)."""
        self._require_moderator(by)
        query = _CASE_SELECT.where(CASES.c.status == "open").order_by(
            CASES.c.severity.desc(), CASES.c.opened_at, CASES.c.id
        )
        return [_case(row) for row in self.gk.session.execute(query.limit(limit))]

    def case(self, by: str | int | None, case_id: int) -> CaseView:
        """One case with its reports and the moderators' notes (moderators)."""
        self._require_moderator(by)
        session = self.gk.session
        row = session.execute(_CASE_SELECT.where(CASES.c.id == case_id)).first()
        if row is None:
            raise UnknownCase(case_id)
        reporter = MEMBERS.alias("reporter")
        reports = [
            ReportView(r.id, r.case_id, r.reporter, r.subject, r.category, r.comment, r.created_at)
            for r in session.execute(
                sa.select(REPORTS, reporter.c.user_id.label("reporter"))
                .join(reporter, reporter.c.id == REPORTS.c.reporter_id)
                .where(REPORTS.c.case_id == case_id)
                .order_by(REPORTS.c.id)
            )
        ]
        notes = [
            NoteView(n.id, n.author, n.body, n.created_at)
            for n in session.execute(
                sa.select(NOTES, MEMBERS.c.user_id.label("author"))
                .outerjoin(MEMBERS, MEMBERS.c.id == NOTES.c.author_id)
                .where(NOTES.c.case_id == case_id)
                .order_by(NOTES.c.id)
            )
        ]
        case = _case(row)
        return CaseView(**{**case.__dict__, "reports": reports, "notes": notes})

    def _open_case(self, tx: Transaction, by: str | None, case_id: int) -> Any:
        tx.lock(CASES, case_id)
        row = tx.conn.execute(
            sa.select(CASES, MEMBERS.c.user_id.label("user_id"))
            .join(MEMBERS, MEMBERS.c.id == CASES.c.member_id)
            .where(CASES.c.id == case_id)
        ).first()
        if row is None:
            raise UnknownCase(case_id)
        if by is not None and row.user_id == by:
            raise NotAllowed("you cannot moderate a case about yourself", user_id=by)
        return row

    def assign(self, by: str | int, case_id: int) -> CaseView:
        """Assign the case to the moderator ``by``."""
        moderator = self._require_moderator(by)
        assert moderator is not None

        def write(tx: Transaction) -> None:
            row = self._open_case(tx, moderator, case_id)
            me = tx.members(moderator)[moderator]
            tx.conn.execute(CASES.update().where(CASES.c.id == case_id).values(assigned_to=me))
            _audit(tx, me, "assign", row.member_id, case_id, "", {})

        self.gk.transaction(write)
        return self.case(moderator, case_id)

    def add_note(self, by: str | int | None, case_id: int, body: str) -> NoteView:
        """A private note on the case (moderators only ever see notes)."""
        moderator = self._require_moderator(by)
        check_text(body, "body", max_length=TEXT_MAX)

        def write(tx: Transaction) -> NoteView:
            row = self._open_case(tx, moderator, case_id)
            me = tx.members(moderator)[moderator] if moderator is not None else None
            note_id = tx.conn.execute(
                sa.insert(NOTES)
                .values(case_id=case_id, author_id=me, body=body, created_at=tx.now)
                .returning(NOTES.c.id)
            ).scalar_one()
            _audit(tx, me, "note", row.member_id, case_id, "", {"note_id": note_id})
            return NoteView(note_id, moderator, body, tx.now)

        return self.gk.transaction(write)

    # -- resolving -------------------------------------------------------------------------

    def resolve(
        self,
        by: str | int | None,
        case_id: int,
        *,
        action: str,
        reason: str,
        hours: int | None = None,
        badge: str | None = None,
        activity_key: str | None = None,
    ) -> CaseView:
        """Close an open case with ``action`` (one of :data:`ACTIONS`) and a reason.

        ``mute`` needs ``hours``; ``suspend`` takes them (without: until lifted by hand);
        ``revoke_badge`` needs ``badge``; ``retract`` needs ``activity_key``, an activity the
        reported member did or received. Raises :class:`~guildkit.errors.NotAllowed` for
        non-moderators and for a case about ``by``, :class:`~guildkit.errors.ValidationError`
        (naming the field) otherwise, including for a case that is not open.
        """
        moderator = self._require_moderator(by)
        if action not in ACTIONS:
            raise ValidationError(f"action must be one of {', '.join(ACTIONS)}", field="action")
        check_text(reason, "reason", max_length=TEXT_MAX)
        if hours is not None and (not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS):
            raise ValidationError(f"hours must be an integer from 1 to {MAX_HOURS}", field="hours")
        if action == "mute" and hours is None:
            raise ValidationError("a mute needs hours", field="hours")
        if action == "revoke_badge":
            if not badge:
                raise ValidationError("name the badge to revoke", field="badge")
            if badge not in self.gk.registry.badges:
                raise UnknownBadge(badge)
        if action == "retract":
            check_text(activity_key, "activity_key")
        pipeline_key = f"guildkit.moderation:{case_id}"

        def write(tx: Transaction) -> None:
            row = self._open_case(tx, moderator, case_id)
            if row.status != "open":
                raise ValidationError(f"case {case_id} is already resolved", field="case_id")
            me = tx.members(moderator)[moderator] if moderator is not None else None
            target, member_id = row.user_id, row.member_id
            until = tx.now + timedelta(hours=hours) if hours is not None and action in TIMED else None
            details: dict[str, Any] = {}
            if action in ("warn", "mute", "suspend", "ban"):
                tx.conn.execute(
                    sa.insert(SANCTIONS).values(
                        member_id=member_id,
                        case_id=case_id,
                        kind=action,
                        reason=reason,
                        created_at=tx.now,
                        created_by=me,
                        until=until,
                    )
                )
                details["until"] = until.isoformat() if until else None
                tx.tell(member_id, f"moderation.{action}", _telling(action, until, reason), case_id=case_id)
            if action in ("suspend", "ban"):
                status = "suspended" if action == "suspend" else "banned"
                payload = {"status": status, "reason": reason}
                tx.record(STATUS, key=f"{pipeline_key}:status", actor=moderator, target=target, payload=payload)
            elif action == "revoke_badge":
                revoke = {"reason": reason, "badge": badge, "level": None, "role": None}
                tx.record(REVOKE, key=f"{pipeline_key}:revoke", actor=moderator, target=target, payload=revoke)
                details["badge"] = badge
            elif action == "retract":
                assert activity_key is not None
                owner = tx.conn.execute(
                    sa.select(ACTIVITIES.c.actor_id, ACTIVITIES.c.target_id).where(ACTIVITIES.c.key == activity_key)
                ).first()
                if owner is None:
                    raise UnknownActivity(activity_key)
                if member_id not in (owner.actor_id, owner.target_id):
                    raise ValidationError("that activity is not the reported member's", field="activity_key")
                tx.retract(activity_key, reason=reason)
                details["activity_key"] = activity_key
            tx.conn.execute(
                CASES.update()
                .where(CASES.c.id == case_id)
                .values(status="resolved", resolved_at=tx.now, resolved_by=me, action=action, reason=reason)
            )
            _audit(tx, me, action, member_id, case_id, reason, details)

        self.gk.transaction(write)
        return self.case(moderator, case_id)

    # -- sanctions -------------------------------------------------------------------------

    def sanctions(self, user_id: str | int) -> list[SanctionView]:
        """The member's warnings and sanctions, newest first, with their reasons."""
        user = str(user_id)
        now = self.gk.clock()
        rows = self.gk.session.execute(
            sa.select(SANCTIONS)
            .join(MEMBERS, MEMBERS.c.id == SANCTIONS.c.member_id)
            .where(MEMBERS.c.user_id == user)
            .order_by(SANCTIONS.c.id.desc())
        )
        return [
            SanctionView(
                r.id,
                user,
                r.kind,
                r.reason,
                r.created_at,
                r.until,
                _active(r.kind, r.until, r.lifted_at, now),
                r.case_id,
            )
            for r in rows
        ]

    def muted_until(self, user_id: str | int) -> datetime | None:
        """When the member's longest running mute ends (``None``: not muted now)."""
        until: datetime | None = self.gk.session.scalar(
            sa.select(sa.func.max(SANCTIONS.c.until))
            .join(MEMBERS, MEMBERS.c.id == SANCTIONS.c.member_id)
            .where(MEMBERS.c.user_id == str(user_id), SANCTIONS.c.kind == "mute", SANCTIONS.c.until > self.gk.clock())
        )
        return until

    def sweep(self) -> list[str]:
        """Lift suspensions whose period ended; returns the user ids set back to ``active``.

        A member stays suspended (or banned) while another suspension runs or after a ban.
        """

        def write(tx: Transaction) -> list[str]:
            ended = tx.conn.execute(
                sa.select(SANCTIONS.c.id, SANCTIONS.c.member_id, MEMBERS.c.user_id, MEMBERS.c.status)
                .join(MEMBERS, MEMBERS.c.id == SANCTIONS.c.member_id)
                .where(SANCTIONS.c.kind == "suspend", SANCTIONS.c.lifted_at.is_(None), SANCTIONS.c.until <= tx.now)
            ).all()
            lifted: list[str] = []
            for row in ended:
                tx.conn.execute(SANCTIONS.update().where(SANCTIONS.c.id == row.id).values(lifted_at=tx.now))
                still = tx.conn.scalar(
                    sa.select(sa.func.count()).where(
                        SANCTIONS.c.member_id == row.member_id,
                        SANCTIONS.c.lifted_at.is_(None),
                        sa.or_(
                            SANCTIONS.c.kind == "ban",
                            sa.and_(
                                SANCTIONS.c.kind == "suspend",
                                sa.or_(SANCTIONS.c.until.is_(None), SANCTIONS.c.until > tx.now),
                            ),
                        ),
                    )
                )
                if row.status == "suspended" and not still and row.user_id not in lifted:
                    reason = "the suspension ended"
                    payload = {"status": "active", "reason": reason}
                    tx.record(STATUS, key=f"guildkit.moderation:lift:{row.id}", target=row.user_id, payload=payload)
                    _audit(tx, None, "lift", row.member_id, None, reason, {"sanction_id": row.id})
                    lifted.append(row.user_id)
            return lifted

        return self.gk.transaction(write)

    # -- the audit log ---------------------------------------------------------------------

    def audit(self, by: str | int | None, *, limit: int = 100, case_id: int | None = None) -> list[AuditEntry]:
        """Moderation actions, newest first (moderators)."""
        self._require_moderator(by)
        actor, target = MEMBERS.alias("actor"), MEMBERS.alias("target")
        query = (
            sa.select(AUDIT, actor.c.user_id.label("actor"), target.c.user_id.label("target"))
            .outerjoin(actor, actor.c.id == AUDIT.c.actor_id)
            .outerjoin(target, target.c.id == AUDIT.c.target_id)
            .order_by(AUDIT.c.id.desc())
            .limit(limit)
        )
        if case_id is not None:
            query = query.where(AUDIT.c.case_id == case_id)
        return [
            AuditEntry(r.id, r.actor, r.action, r.target, r.case_id, r.reason, r.details, r.at)
            for r in self.gk.session.execute(query)
        ]


def _audit(
    tx: Transaction,
    actor: int | None,
    action: str,
    target: int | None,
    case_id: int | None,
    reason: str,
    details: dict[str, Any],
) -> None:
    tx.conn.execute(
        sa.insert(AUDIT).values(
            actor_id=actor, action=action, target_id=target, case_id=case_id, reason=reason, details=details, at=tx.now
        )
    )


def _telling(action: str, until: datetime | None, reason: str) -> str:
    what = {"warn": "You received a warning", "mute": "You are muted", "suspend": "You are suspended"}
    text = what.get(action, "You are banned")
    if until is not None:
        text += f" until {until:%Y-%m-%d %H:%M} UTC"
    return f"{text}: {reason}"


def _active(kind: str, until: datetime | None, lifted_at: datetime | None, now: datetime) -> bool:
    if kind == "warn" or lifted_at is not None:
        return False
    return until is None or until > now


_ASSIGNEE, _RESOLVER, _REPORTED = MEMBERS.alias("assignee"), MEMBERS.alias("resolver"), MEMBERS.alias("reported")
_CASE_SELECT = (
    sa.select(
        CASES,
        _REPORTED.c.user_id.label("user_id"),
        _ASSIGNEE.c.user_id.label("assignee"),
        _RESOLVER.c.user_id.label("resolver"),
    )
    .join(_REPORTED, _REPORTED.c.id == CASES.c.member_id)
    .outerjoin(_ASSIGNEE, _ASSIGNEE.c.id == CASES.c.assigned_to)
    .outerjoin(_RESOLVER, _RESOLVER.c.id == CASES.c.resolved_by)
)


def _case(row: Any) -> CaseView:
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
    )
