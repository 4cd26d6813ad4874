"""Mediation: a moderator turns an open case into a conversation between two members.

=========  ==========================================================  ===============
state      action (who) → next state                                   effect
=========  ==========================================================  ===============
(none)     start (a moderator, not a party) → ``open``                 parties told
``open``   statement (a party, the mediator or a moderator) → ``open``  others told
           agree (the mediator, with the outcome) → ``agreed``         case resolved
                                                                       (``mediate``)
           abandon (the mediator or a moderator, not a party)          case stays open
           → ``abandoned``
=========  ==========================================================  ===============

``agreed`` and ``abandoned`` are final; any other move is an
:class:`~guildkit.errors.InvalidTransition`. The parties are the reported member
(``respondent``) and another member (``party``; by default the case's first reporter). Only
they, the mediator and moderators read a mediation. A case has at most one open mediation (a
partial unique index) and cannot be resolved directly while it has one. Bodies lock the
mediation before its case, always in that order.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.moderation import cases, views, wording
from guildkit.moderation.common import MEDIATIONS, REPORTS, STATEMENTS, audit
from guildkit.moderation.errors import UnknownMediation
from guildkit.moderation.views import MediationView, StatementView
from guildkit.notes import Said
from guildkit.transaction import Transaction

#: ``(state, action) → next state``: every allowed move.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "statement"): "open",
    ("open", "agree"): "agreed",
    ("open", "abandon"): "abandoned",
}
FINAL_STATES = ("agreed", "abandoned")
WORDS = {"statement": "add a statement to", "agree": "record an agreement on", "abandon": "abandon"}


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition("mediation", state, WORDS.get(action, action)) from None


def start(tx: Transaction, by: str | None, case_id: int, party: str | None, mediator: str) -> int:
    row = cases.lock_case(tx, by, case_id)
    if row.status != "open":
        raise InvalidTransition("case", row.status, "start a mediation on")
    if tx.conn.scalar(sa.select(MEDIATIONS.c.id).where(MEDIATIONS.c.case_id == case_id, MEDIATIONS.c.state == "open")):
        raise InvalidTransition("case", "in mediation", "start a mediation on")
    if party is None:
        first = tx.conn.scalar(
            sa.select(REPORTS.c.reporter_id)
            .where(REPORTS.c.case_id == case_id, REPORTS.c.reporter_id.is_not(None))
            .order_by(REPORTS.c.id)
            .limit(1)
        )
        if first is None:
            raise ValidationError(_("this case has no reporting member: name the other party"), field="party")
        party_id = int(first)
        party = views.user_name(tx.conn, party_id)
    else:
        party_id = tx.members(party)[party]
    if party == row.user_id:
        raise ValidationError(_("the other party cannot be the reported member"), field="party")
    if mediator in (row.user_id, party):
        raise NotAllowed(_("a party cannot mediate their own conflict"), user_id=mediator)
    if by == party:
        raise NotAllowed(_("you cannot start a mediation you are a party to"), user_id=by)
    mediator_id = tx.members(mediator)[mediator]
    starter_id = tx.members(by)[by] if by is not None else None
    mediation_id = tx.conn.execute(
        sa.insert(MEDIATIONS)
        .values(
            case_id=case_id,
            respondent_id=row.member_id,
            party_id=party_id,
            mediator_id=mediator_id,
            state="open",
            started_by=starter_id,
            started_at=tx.now,
        )
        .returning(MEDIATIONS.c.id)
    ).scalar_one()
    details = {"mediation_id": mediation_id, "party": party, "mediator": mediator}
    audit(tx, starter_id, "mediation_start", row.member_id, case_id, "", details)
    said = _invited(row.subject, mediation_id)
    for member_id in (row.member_id, party_id):
        tx.tell(member_id, "moderation.mediation", said, mediation_id=mediation_id)
    return int(mediation_id)


def lock(tx: Transaction, mediation_id: int) -> MediationView:
    tx.lock(MEDIATIONS, mediation_id)
    found = views.mediation(tx.conn, mediation_id)
    if found is None:
        raise UnknownMediation(mediation_id)
    return found


def _ids(tx: Transaction, found: MediationView) -> dict[str, int]:
    return tx.members(found.respondent, found.party, found.mediator, active=False)


def say(tx: Transaction, mediation_id: int, by: str, body: str, moderator: bool) -> StatementView:
    found = lock(tx, mediation_id)
    if found.role_of(by) is None and not moderator:
        raise NotAllowed(_("only the parties, the mediator and moderators may write in this mediation"), user_id=by)
    next_state(found.state, "statement")
    author_id = tx.members(by)[by]
    statement_id = tx.conn.execute(
        sa.insert(STATEMENTS)
        .values(mediation_id=mediation_id, author_id=author_id, body=body, created_at=tx.now)
        .returning(STATEMENTS.c.id)
    ).scalar_one()
    for user, member_id in _ids(tx, found).items():
        if user != by:
            said = Said(N_("New statement in mediation #%(id)s"), {"id": str(mediation_id)})
            tx.tell(member_id, "moderation.mediation", said, mediation_id=mediation_id)
    return StatementView(int(statement_id), by, body, tx.now)


def agree(tx: Transaction, mediation_id: int, by: str | None, outcome: str) -> None:
    found = lock(tx, mediation_id)
    if by is not None and by != found.mediator:
        raise NotAllowed(_("only the mediator records the agreed outcome"), user_id=by)
    new = next_state(found.state, "agree")
    _close(tx, found, new, outcome)
    row = cases.lock_case(tx, by, found.case_id)
    me = tx.members(by)[by] if by is not None else None
    cases.close(tx, row, me, by, "mediate", outcome, {"mediation_id": mediation_id})
    said = Said(
        N_("Mediation #%(id)s ended with an agreement: %(outcome)s"), {"id": str(mediation_id), "outcome": outcome}
    )
    _tell_parties(tx, found, said)


def abandon(tx: Transaction, mediation_id: int, by: str | None, reason: str, moderator: bool) -> None:
    found = lock(tx, mediation_id)
    role = found.role_of(by)
    if by is not None and role != "mediator" and (role is not None or not moderator):
        raise NotAllowed(_("only the mediator or another moderator may abandon this mediation"), user_id=by)
    new = next_state(found.state, "abandon")
    _close(tx, found, new, reason)
    me = tx.members(by)[by] if by is not None else None
    respondent = _ids(tx, found)[found.respondent]
    audit(tx, me, "mediation_abandon", respondent, found.case_id, reason, {"mediation_id": mediation_id})
    said = Said(
        N_("Mediation #%(id)s was closed without an agreement: %(reason)s"), {"id": str(mediation_id), "reason": reason}
    )
    _tell_parties(tx, found, said)


def _close(tx: Transaction, found: MediationView, new: str, outcome: str) -> None:
    tx.conn.execute(
        MEDIATIONS.update().where(MEDIATIONS.c.id == found.id).values(state=new, closed_at=tx.now, outcome=outcome)
    )


def _tell_parties(tx: Transaction, found: MediationView, said: Said) -> None:
    ids = _ids(tx, found)
    for user in (found.respondent, found.party):
        tx.tell(ids[user], "moderation.mediation", said, mediation_id=found.id)


def _invited(subject: str, mediation_id: int) -> Said:
    """The parties' invitation, naming what was reported by its kind ("a reported answer"), never its key."""
    kind = wording.plain_kind(subject)
    if kind is None:
        return Said(N_("A moderator invited you to a mediation about reported content (mediation #%(id)s)"),
                    {"id": str(mediation_id)})  # fmt: skip
    said = N_("A moderator invited you to a mediation about a reported %(kind)s (mediation #%(id)s)")
    return Said(said, {"kind": kind.lower(), "id": str(mediation_id)}, ("kind",))


def of_member(conn: Any, member_id: int) -> list[MediationView]:
    """The member's mediations as a party, newest first."""
    rows = conn.execute(
        views.MEDIATION_SELECT.where(
            sa.or_(MEDIATIONS.c.respondent_id == member_id, MEDIATIONS.c.party_id == member_id)
        ).order_by(MEDIATIONS.c.id.desc())
    )
    return [views.mediation_of(r) for r in rows]
