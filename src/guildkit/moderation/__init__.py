"""Reports, cases, sanctions, mediation, appeals and the public log: ``gk.moderation`` (docs/moderation.md).

* Members report content (:meth:`Moderation.report`); host code flags it
  (:meth:`Moderation.flag`). Reports on one subject group into its one open case, whose severity
  sums the reports' trust-weighted weights; trusted members' spam reports hide the reported
  member's content (:mod:`.hiding`). Transaction bodies live in :mod:`.cases`.
* Moderators (``members.manage``) read the queue, assign, note and resolve with an action
  (:data:`ACTIONS`); each action needs a reason, is audited, and is told to plugins
  (``guildkit_case_resolved``). Nobody moderates a case about themself.
* Sanctions (:mod:`.sanctions`): a warning is shown; a mute denies every privilege until it ends;
  a suspension sets ``suspended`` until the sweep lifts it; a ban sets ``banned``.
* Mediation (:mod:`.mediation`), appeals (:mod:`.appeals`) and the anonymized public log
  (:mod:`.public_log`) each have their own module.

Every write validates its input here, then runs one body in :meth:`GuildKit.transaction`.
Methods take host user ids; ``by=None`` means host code (no permission check).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import audit as audit_log
from guildkit import queries
from guildkit.activity import user_ref
from guildkit.errors import FieldErrors, NotAllowed, UnknownBadge, ValidationError, check_fields
from guildkit.i18n import gettext as _
from guildkit.moderation import appeals, cases, hiding, mediation, public_log, record, sanctions, views
from guildkit.moderation.common import (
    ACTIONS,
    APPEALABLE_CASE_ACTIONS,
    CASE_ACTIONS,
    CASES,
    MAX_HOURS,
    MEMBERS,
    SUBJECT_MAX,
    TEXT_MAX,
    TIMED,
    WEIGHTS,
    is_moderator,
    member_ids,
    require_moderator,
)
from guildkit.moderation.errors import UnknownAppeal, UnknownCase, UnknownMediation
from guildkit.moderation.hiding import VISIBLE
from guildkit.moderation.models import REPORT_CATEGORIES
from guildkit.moderation.public_log import LogCount, LogMonth
from guildkit.moderation.record import MemberRecord
from guildkit.moderation.views import (
    ActionView,
    AppealView,
    AuditEntry,
    CaseView,
    MediationView,
    NoteView,
    ReportView,
    SanctionView,
    StatementView,
)
from guildkit.text import check_row_id, check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

__all__ = [
    "ACTIONS",
    "APPEALABLE_CASE_ACTIONS",
    "CASE_ACTIONS",
    "MAX_HOURS",
    "SUBJECT_MAX",
    "TEXT_MAX",
    "TIMED",
    "VISIBLE",
    "WEIGHTS",
    "ActionView",
    "AppealView",
    "AuditEntry",
    "CaseView",
    "LogCount",
    "LogMonth",
    "MediationView",
    "MemberRecord",
    "Moderation",
    "NoteView",
    "ReportView",
    "SanctionView",
    "StatementView",
]


def _hours(hours: object) -> None:
    if hours is not None and (not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS):
        raise ValidationError(f"hours must be an integer from 1 to {MAX_HOURS}", field="hours")


def _action(action: object) -> None:
    if action not in ACTIONS:
        raise ValidationError(f"action must be one of {', '.join(ACTIONS)}", field="action")


def _decision(decision: object) -> None:
    if decision not in appeals.DECISIONS:
        raise ValidationError("decision must be uphold or overturn", field="decision")


def _category(category: object) -> None:
    if category not in REPORT_CATEGORIES:
        raise ValidationError(f"category must be one of {', '.join(REPORT_CATEGORIES)}", field="category")


class Moderation:
    """Moderation for one :class:`~guildkit.GuildKit`; methods take host user ids (``by=None``: host code)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def _moderator(self, by: str | int | None) -> str | None:
        return require_moderator(self.gk, by)

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
        _category(category)
        check_text(comment, "comment", max_length=TEXT_MAX, empty=True)
        who, whom = user_ref(reporter, "reporter"), user_ref(user_id, "user_id")
        if who == whom:
            raise ValidationError("you cannot report yourself", field="user_id")
        self.gk.member(whom)  # UnknownMember: reports name members
        # The reporter's trust level comes from the trust feature, read in this transaction.
        level_of = self.gk.trust.level_of
        return self.gk.transaction(lambda tx: cases.report(tx, who, whom, subject, category, comment, level_of))

    def flag(
        self,
        *,
        subject: str,
        user_id: str | int,
        category: str,
        comment: str,
        details: dict[str, Any] | None = None,
    ) -> int:
        """A system flag (host code, e.g. an anti-abuse job): open or join the open case on ``subject``.

        The flag is a report without a reporting member; it is stored once per open case, so
        flagging the same subject again while its case is open changes nothing and returns the
        same case id. ``details`` (JSON) is kept with it for the moderators.
        """
        check_text(subject, "subject", max_length=SUBJECT_MAX)
        _category(category)
        check_text(comment, "comment", max_length=TEXT_MAX, empty=True)
        if details is not None and not isinstance(details, dict):
            raise ValidationError("details must be a mapping", field="details")
        whom = user_ref(user_id, "user_id")
        self.gk.member(whom)
        return self.gk.transaction(lambda tx: cases.flag(tx, whom, subject, category, comment, details))

    # -- the queue -------------------------------------------------------------------------

    def queue(self, by: str | int | None, *, limit: int = 50) -> list[CaseView]:
        """Open cases, most severe first, then oldest first (moderators)."""
        self._moderator(by)
        query = views.CASE_SELECT.where(CASES.c.status == "open").order_by(
            CASES.c.severity.desc(), CASES.c.opened_at, CASES.c.id
        )
        return [views.case_of(row) for row in self.gk.session.execute(query.limit(limit))]

    def case(self, by: str | int | None, case_id: int) -> CaseView:
        """One case with its reports and the moderators' notes (moderators)."""
        self._moderator(by)
        session = self.gk.session
        row = session.execute(views.CASE_SELECT.where(CASES.c.id == case_id)).first()
        if row is None:
            raise UnknownCase(case_id)
        case = views.case_of(row)
        found = {**case.__dict__, "reports": views.reports(session, case_id), "notes": views.notes(session, case_id)}
        return CaseView(**found)

    def member_record(self, by: str | int | None, user_id: str | int, *, case_id: int | None = None) -> MemberRecord:
        """What moderators read about a member beside case ``case_id`` (moderators): when they
        joined, their trust level, earlier actions and other cases about them, their badges and
        recent activities (those on the case's subject first)."""
        self._moderator(by)
        subject = None
        if case_id is not None:
            subject = self.gk.session.scalar(sa.select(CASES.c.subject).where(CASES.c.id == case_id))
        return record.record(self.gk, user_ref(user_id, "user_id"), case_id=case_id, subject=subject)

    def assign(self, by: str | int, case_id: int) -> CaseView:
        """Assign the case to the moderator ``by``."""
        moderator = self._moderator(by)
        assert moderator is not None
        self.gk.transaction(lambda tx: cases.assign(tx, moderator, case_id))
        return self.case(moderator, case_id)

    def add_note(self, by: str | int | None, case_id: int, body: str) -> NoteView:
        """A private note on the case (moderators only ever see notes)."""
        moderator = self._moderator(by)
        check_text(body, "body", max_length=TEXT_MAX)
        return self.gk.transaction(lambda tx: cases.add_note(tx, moderator, case_id, body))

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
        (naming every bad field at once: :meth:`check_resolution`) otherwise, including for a
        case that is not open, and :class:`~guildkit.errors.InvalidTransition` while the case is
        in mediation.
        """
        moderator = self._moderator(by)
        self.check_resolution(action=action, reason=reason, hours=hours, badge=badge, activity_key=activity_key)
        if action == "revoke_badge" and badge not in self.gk.registry.badges:
            raise UnknownBadge(str(badge))
        self.gk.transaction(
            lambda tx: cases.resolve(tx, moderator, case_id, action, reason, hours, badge, activity_key)
        )
        return self.case(moderator, case_id)

    def check_resolution(
        self,
        *,
        action: str,
        reason: str,
        hours: int | None = None,
        badge: str | None = None,
        activity_key: str | None = None,
    ) -> None:
        """:meth:`resolve`'s checks of its fields, every bad one named in one
        :class:`~guildkit.errors.ValidationError`; writes nothing (a page checks with it the
        fields it could read while another could not be read)."""
        found = FieldErrors()
        found.check_all(
            {
                "action": lambda: _action(action),
                "reason": lambda: check_text(reason, "reason", max_length=TEXT_MAX),
                "hours": lambda: _hours(hours),
            }
        )
        if action == "mute" and hours is None:
            found.add("hours", "a mute needs hours")
        if action == "revoke_badge" and not badge:
            found.add("badge", "name the badge to revoke")
        if action == "retract":
            found.check_all({"activity_key": lambda: check_text(activity_key, "activity_key")})
        found.raise_if_any()

    # -- hiding ----------------------------------------------------------------------------

    def is_hidden(self, subject: str) -> bool:
        """Whether trusted members' spam reports hide ``subject`` (until its case is resolved)."""
        return hiding.subject_hidden(self.gk.session, check_text(subject, "subject", one_line=True))

    def member_hidden(self, user_id: str | int) -> bool:
        """Whether the member has an open hidden case (``gk.can(user, "content.visible")`` asks this)."""
        return hiding.member_hidden(self.gk.session, user_ref(user_id, "user_id"))

    # -- sanctions -------------------------------------------------------------------------

    def sanctions(self, user_id: str | int) -> list[SanctionView]:
        """The member's warnings and sanctions, newest first, with their reasons."""
        return sanctions.sanctions(self.gk.session, user_ref(user_id, "user_id"), self.gk.clock())

    def muted_until(self, user_id: str | int) -> datetime | None:
        """When the member's longest running mute ends (``None``: not muted now)."""
        return sanctions.muted_until(self.gk.session, user_ref(user_id, "user_id"), self.gk.clock())

    def sweep(self) -> list[str]:
        """Lift suspensions whose period ended; returns the user ids set back to ``active``.

        A member stays suspended (or banned) while another suspension runs or after a ban.
        """
        return self.gk.transaction(sanctions.sweep)

    # -- mediation -------------------------------------------------------------------------

    def start_mediation(
        self, by: str | int | None, case_id: int, *, party: str | int | None = None, mediator: str | int | None = None
    ) -> MediationView:
        """Turn an open case into a mediation between the reported member and ``party``.

        ``party`` defaults to the case's first reporter; ``mediator`` (a moderator who is not a
        party) defaults to ``by``. Host code (``by=None``) must name the mediator.
        """
        starter = self._moderator(by)
        chosen = starter if mediator is None else str(mediator)
        other = None if party is None else str(party)
        check_row_id(case_id, "case_id")
        reported = self.gk.session.scalar(
            sa.select(MEMBERS.c.user_id).join(CASES, CASES.c.member_id == MEMBERS.c.id).where(CASES.c.id == case_id)
        )
        if reported is None:
            raise UnknownCase(case_id)

        def check_mediator() -> str:
            if chosen is None:
                raise ValidationError(_("name the mediator"), field="mediator")
            if not is_moderator(self.gk, chosen):
                raise ValidationError(_("the mediator must be a moderator"), field="mediator")
            return chosen

        def check_party() -> None:  # checked again in the transaction, with the case locked
            if other == reported:
                raise ValidationError(_("the other party cannot be the reported member"), field="party")
            if other is not None and queries.find_member(self.gk.session, other) is None:
                raise ValidationError(_("the other party must be a member of the community"), field="party")

        named: str = check_fields({"mediator": check_mediator, "party": check_party})["mediator"]  # all at once
        mediation_id = self.gk.transaction(lambda tx: mediation.start(tx, starter, case_id, other, named))
        return self.mediation(starter, mediation_id)

    def mediation(self, viewer: str | int | None, mediation_id: int) -> MediationView:
        """The mediation with its statements: for its parties, its mediator and moderators."""
        check_row_id(mediation_id, "mediation_id")
        viewer = None if viewer is None else user_ref(viewer, "viewer")
        found = views.mediation(self.gk.session, mediation_id, with_statements=True)
        if found is None:
            raise UnknownMediation(mediation_id)
        if viewer is not None and found.role_of(str(viewer)) is None and not is_moderator(self.gk, viewer):
            raise NotAllowed(_("only the parties, the mediator and moderators may see this mediation"))
        return found

    def add_statement(self, by: str | int, mediation_id: int, body: str) -> StatementView:
        """A statement by a party, the mediator or a moderator, while the mediation is open."""
        check_text(body, "body", max_length=TEXT_MAX)
        who = user_ref(by, "by")
        moderator = is_moderator(self.gk, who)
        return self.gk.transaction(lambda tx: mediation.say(tx, mediation_id, who, body, moderator))

    def agree(self, by: str | int | None, mediation_id: int, *, outcome: str) -> MediationView:
        """The mediator records the agreed outcome: the mediation closes and its case is resolved
        with action ``mediate`` (the outcome is the reason)."""
        check_text(outcome, "outcome", max_length=TEXT_MAX)
        who = None if by is None else user_ref(by, "by")
        self.gk.transaction(lambda tx: mediation.agree(tx, mediation_id, who, outcome))
        return self.mediation(None, mediation_id)

    def abandon_mediation(self, by: str | int | None, mediation_id: int, *, reason: str) -> MediationView:
        """Close the mediation without an agreement (the mediator or another moderator); the case stays open."""
        check_text(reason, "reason", max_length=TEXT_MAX)
        who = None if by is None else user_ref(by, "by")
        moderator = who is None or is_moderator(self.gk, who)
        self.gk.transaction(lambda tx: mediation.abandon(tx, mediation_id, who, reason, moderator))
        return self.mediation(None, mediation_id)

    def mediations_of(self, user_id: str | int) -> list[MediationView]:
        """The member's mediations as a party, newest first (without statements)."""
        found = member_ids(self.gk.session, user_ref(user_id, "user_id"))
        if not found:
            return []
        return mediation.of_member(self.gk.session, next(iter(found.values())))

    # -- appeals ---------------------------------------------------------------------------

    def appeal(
        self, user_id: str | int, *, statement: str, sanction_id: int | None = None, case_id: int | None = None
    ) -> AppealView:
        """Appeal a sanction (``sanction_id``) or a case's ``revoke_badge``/``retract`` (``case_id``), once.

        Suspended and banned members may appeal too.
        """
        check_text(statement, "statement", max_length=TEXT_MAX)
        if (sanction_id is None) == (case_id is None):
            raise ValidationError(_("name either the sanction or the case you appeal"), field="sanction_id")
        for name, value in (("sanction_id", sanction_id), ("case_id", case_id)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValidationError(f"{name} must be an integer", field=name)
        user = user_ref(user_id, "user_id")
        self.gk.member(user)
        appeal_id = self.gk.transaction(lambda tx: appeals.file(tx, user, sanction_id, case_id, statement))
        return self.get_appeal(user, appeal_id)

    def get_appeal(self, viewer: str | int | None, appeal_id: int) -> AppealView:
        """The appeal: for the appellant and moderators."""
        check_row_id(appeal_id, "appeal_id")
        viewer = None if viewer is None else user_ref(viewer, "viewer")
        found = views.appeal(self.gk.session, appeal_id)
        if found is None:
            raise UnknownAppeal(appeal_id)
        if viewer is not None and str(viewer) != found.user_id and not is_moderator(self.gk, viewer):
            raise NotAllowed(_("only the appellant and moderators may see this appeal"))
        return found

    def appeals(self, by: str | int | None, *, state: str | None = "pending", limit: int = 100) -> list[AppealView]:
        """The appeals queue, oldest first (moderators); ``state=None`` lists every appeal."""
        self._moderator(by)
        if state is not None and state not in appeals.DECISIONS.values() and state != "pending":
            raise ValidationError("state must be pending, upheld or overturned", field="state")
        return appeals.queue(self.gk.session, state, limit)

    def decide_appeal(self, by: str | int | None, appeal_id: int, *, decision: str, reason: str) -> AppealView:
        """``uphold`` or ``overturn`` an appeal, with a reason (a moderator who neither appealed
        nor took the action). Overturning lifts the sanction (see :mod:`.appeals`)."""
        moderator = self._moderator(by)
        check_fields(
            {
                "decision": lambda: _decision(decision),
                "reason": lambda: check_text(reason, "reason", max_length=TEXT_MAX),
            }
        )
        self.gk.transaction(lambda tx: appeals.decide(tx, moderator, appeal_id, decision, reason))
        return self.get_appeal(None, appeal_id)

    def appeals_of(self, user_id: str | int) -> list[AppealView]:
        """The member's own appeals and their decisions, newest first."""
        user = user_ref(user_id, "user_id")
        found = member_ids(self.gk.session, user)
        return appeals.of_member(self.gk.session, found[user]) if found else []

    def actions(self, user_id: str | int) -> list[ActionView]:
        """What the member may appeal (sanctions, revoked badges, retractions), newest first, with appeals."""
        user = user_ref(user_id, "user_id")
        found = member_ids(self.gk.session, user)
        if not found:
            return []
        return appeals.actions(self.gk.session, found[user], user, self.gk.clock())

    # -- the public log --------------------------------------------------------------------

    def public_log(self, start: date, end: date) -> list[LogMonth]:
        """Resolved cases from ``start`` to ``end`` (days in ``GUILDKIT_TIMEZONE``, both included),
        counted by month, category and action; anonymized, for anyone to read."""
        start, end = public_log.check_period(start, end)
        return public_log.public_log(self.gk.session, self.gk.state.zone, start, end)

    # -- the audit log ---------------------------------------------------------------------

    def audit(self, by: str | int | None, *, limit: int = 100, case_id: int | None = None) -> list[AuditEntry]:
        """Moderation actions, newest first (moderators)."""
        self._moderator(by)
        subject = None if case_id is None else f"case:{case_id}"
        return [
            AuditEntry(
                e.id,
                e.actor,
                e.action,
                e.member,
                int(e.subject.removeprefix("case:")) if e.subject else None,
                e.reason,
                e.details,
                e.at,
            )
            for e in audit_log.read(self.gk.session, area="moderation", subject=subject, limit=limit)
        ]
