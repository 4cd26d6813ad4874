"""Reports, system flags and cases: the transaction bodies behind ``report``, ``flag``, ``assign``,
``add_note`` and ``resolve``.

Reports on one subject group into its one open case (a partial unique index is the backstop);
each adds its trust-weighted weight (:mod:`.hiding`) to the case's severity. Resolving writes the
action's effect, the case's resolution and the audit row in one transaction, then announces
``case_resolved`` (told after the commit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guildkit.builtin.manual import REVOKE, STATUS
from guildkit.errors import InvalidTransition, NotAllowed, UnknownActivity, ValidationError
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.moderation import hiding
from guildkit.moderation.common import ACTIVITIES, CASES, MEDIATIONS, MEMBERS, NOTES, REPORTS, SANCTIONS, TIMED, audit
from guildkit.moderation.errors import UnknownCase
from guildkit.moderation.hookspecs import CaseResolved
from guildkit.moderation.views import NoteView, ReportView
from guildkit.notes import Said
from guildkit.transaction import Transaction


def lock_reports(tx: Transaction) -> None:
    if tx.dialect == "postgresql":
        # One reporter at a time, so two reports of a new subject never open two cases
        # (SQLite's BEGIN IMMEDIATE already serializes writers); the partial index is the backstop.
        tx.conn.exec_driver_sql(f"LOCK TABLE {CASES.name} IN SHARE ROW EXCLUSIVE MODE")


def open_case_id(tx: Transaction, subject: str, member_id: int) -> int:
    """The subject's open case, opened now if there is none."""
    case_id = tx.conn.scalar(sa.select(CASES.c.id).where(CASES.c.subject == subject, CASES.c.status == "open"))
    if case_id is None:
        case_id = tx.conn.execute(
            sa.insert(CASES)
            .values(subject=subject, member_id=member_id, status="open", opened_at=tx.now)
            .returning(CASES.c.id)
        ).scalar_one()
    return int(case_id)


def add_report(
    tx: Transaction,
    case_id: int,
    reporter_id: int | None,
    subject: str,
    category: str,
    comment: str,
    details: dict[str, Any] | None,
    level: int | None,
) -> tuple[int, int]:
    """Store a report and add its weight to the case; returns the report's id and weight.

    ``level`` is the reporter's trust level (``None`` for a system flag)."""
    weight = hiding.weight(category, level)
    tx.conn.execute(
        CASES.update()
        .where(CASES.c.id == case_id)
        .values(severity=CASES.c.severity + weight, report_count=CASES.c.report_count + 1)
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
            reporter_level=level,
            weight=weight,
            details=details,
        )
        .returning(REPORTS.c.id)
    ).scalar_one()
    if category == "spam":
        hiding.update_hidden(tx.conn, case_id)
    return int(report_id), weight


def report(
    tx: Transaction,
    who: str,
    whom: str,
    subject: str,
    category: str,
    comment: str,
    level_of: Callable[[sa.Connection, int], int],
) -> ReportView:
    lock_reports(tx)
    reporter_id = tx.members(who)[who]
    member_id = tx.members(whom, active=False)[whom]
    if tx.conn.scalar(
        sa.select(REPORTS.c.id).where(REPORTS.c.reporter_id == reporter_id, REPORTS.c.subject == subject)
    ):
        raise ValidationError("you already reported this", field="subject")
    case_id = open_case_id(tx, subject, member_id)
    level = level_of(tx.conn, reporter_id)
    report_id, weight = add_report(tx, case_id, reporter_id, subject, category, comment, None, level)
    return ReportView(report_id, case_id, who, subject, category, comment, tx.now, weight)


def flag(tx: Transaction, whom: str, subject: str, category: str, comment: str, details: dict[str, Any] | None) -> int:
    """A system flag: joins (or opens) the subject's open case once; returns the case id."""
    lock_reports(tx)
    member_id = tx.members(whom, active=False)[whom]
    case_id = open_case_id(tx, subject, member_id)
    flagged = tx.conn.scalar(
        sa.select(REPORTS.c.id).where(REPORTS.c.case_id == case_id, REPORTS.c.reporter_id.is_(None))
    )
    if flagged is None:
        add_report(tx, case_id, None, subject, category, comment, details, None)
    return case_id


def lock_case(tx: Transaction, by: str | None, case_id: int) -> Any:
    """Lock the case and read it with the reported member's user id; nobody moderates themself."""
    tx.lock(CASES, case_id)
    row = tx.conn.execute(
        sa.select(CASES, MEMBERS.c.user_id.label("user_id"))
        .join(MEMBERS, MEMBERS.c.id == CASES.c.member_id)
        .where(CASES.c.id == case_id)
    ).first()
    if row is None:
        raise UnknownCase(case_id)
    if by is not None and row.user_id == by:
        raise NotAllowed(_("you cannot moderate a case about yourself"), user_id=by)
    return row


def assign(tx: Transaction, moderator: str, case_id: int) -> None:
    row = lock_case(tx, moderator, case_id)
    me = tx.members(moderator)[moderator]
    tx.conn.execute(CASES.update().where(CASES.c.id == case_id).values(assigned_to=me))
    audit(tx, me, "assign", row.member_id, case_id, "", {})


def add_note(tx: Transaction, moderator: str | None, case_id: int, body: str) -> NoteView:
    row = lock_case(tx, moderator, case_id)
    me = tx.members(moderator)[moderator] if moderator is not None else None
    note_id = tx.conn.execute(
        sa.insert(NOTES).values(case_id=case_id, author_id=me, body=body, created_at=tx.now).returning(NOTES.c.id)
    ).scalar_one()
    audit(tx, me, "note", row.member_id, case_id, "", {"note_id": note_id})
    return NoteView(note_id, moderator, body, tx.now)


def close(
    tx: Transaction, row: Any, me: int | None, moderator: str | None, action: str, reason: str, details: dict[str, Any]
) -> None:
    """Mark the locked, open case resolved, audit it, and announce ``case_resolved``."""
    tx.conn.execute(
        CASES.update()
        .where(CASES.c.id == row.id)
        .values(status="resolved", resolved_at=tx.now, resolved_by=me, action=action, reason=reason)
    )
    audit(tx, me, action, row.member_id, row.id, reason, details)
    change = CaseResolved(row.id, row.subject, row.user_id, action, reason, moderator, bool(row.hidden))
    tx.announce("case_resolved", case=change)


def resolve(
    tx: Transaction,
    moderator: str | None,
    case_id: int,
    action: str,
    reason: str,
    hours: int | None,
    badge: str | None,
    activity_key: str | None,
) -> None:
    row = lock_case(tx, moderator, case_id)
    if row.status != "open":
        raise ValidationError(_("case %(id)s is already resolved", id=case_id), field="case_id")
    if tx.conn.scalar(sa.select(MEDIATIONS.c.id).where(MEDIATIONS.c.case_id == case_id, MEDIATIONS.c.state == "open")):
        raise InvalidTransition("case", "in mediation", "resolve")
    me = tx.members(moderator)[moderator] if moderator is not None else None
    target, member_id = row.user_id, row.member_id
    pipeline_key = f"guildkit.moderation:{case_id}"
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
        tx.tell(member_id, f"moderation.{action}", telling(action, until, reason), case_id=case_id)
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
    close(tx, row, me, moderator, action, reason, details)


#: What a sanctioned member is told, by sanction; with an end (a mute always has one), below.
TOLD = {
    "warn": N_("You received a warning: %(reason)s"),
    "suspend": N_("You are suspended: %(reason)s"),
    "ban": N_("You are banned: %(reason)s"),
}
TOLD_UNTIL = {
    "mute": N_("You are muted until %(until)s: %(reason)s"),
    "suspend": N_("You are suspended until %(until)s: %(reason)s"),
}


def telling(action: str, until: datetime | None, reason: str) -> Said:
    """What the member is told of a sanction; its end, when it has one, in their locale and time zone."""
    if until is not None:
        return Said(TOLD_UNTIL[action], {"until": until, "reason": reason})
    return Said(TOLD[action], {"reason": reason})
