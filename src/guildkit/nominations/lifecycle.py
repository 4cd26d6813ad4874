"""The transaction bodies of the nomination lifecycle (the table is in :mod:`.states`).

Each runs in :meth:`GuildKit.transaction`: it locks the nomination's row (``FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serializes writers), reads it again, checks who
acts and whether the table allows the action from its state, then writes with an update that
also names the state it expects, so a change nobody locked against could not slip through. The
audit row, the notifications and the announcement are written in the same transaction; plugins
hear of it (``guildkit_nomination_decided``) only after the commit.

The last approval awards the badge in that same transaction, as the core's ``guildkit.award``
activity (what the admin console's manual award records) with the key
``nomination:<id>:award`` and the reason "Approved nomination #<id>": two approvers racing for
the last approval are serialized on the row, the second finds it approved and is refused, and the
key would make a second award a no-op in any case. The nominee's history shows where the badge
came from (the activity's subject is ``nomination:<id>``), and a ``nomination.approved`` activity
(actor the nominator, target the nominee) lets rules reward good nominations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import audit
from guildkit.builtin.manual import AWARD, award_payload
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import BadgeAward, table_of
from guildkit.nominations import notices, states
from guildkit.nominations.errors import AlreadyVoted, DuplicateNomination, UnknownNomination
from guildkit.nominations.hookspecs import NominationDecided
from guildkit.nominations.views import MEMBERS, NOMINATIONS, VOTES, NominationView, load, select
from guildkit.transaction import Transaction

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

AWARDS = table_of(BadgeAward)
AREA = "nominations"
APPROVED_ACTIVITY = "nomination.approved"


def award_key(nomination_id: int) -> str:
    return f"nomination:{nomination_id}:award"


def award_reason(nomination_id: int) -> str:
    """What the badge award says, as stored (English, like every stored reason)."""
    return f"Approved nomination #{nomination_id}"


@dataclass(frozen=True)
class NewNomination:
    """A nomination checked and ready to write (see :meth:`Nominations.check`)."""

    nominator: str
    nominee: str
    badge: str
    level: int
    reason: str
    needed: int
    role: str
    expire_days: int | None


def locked(tx: Transaction, nomination_id: int) -> NominationView:
    """The nomination, its row locked for this transaction; :class:`UnknownNomination` if none."""
    tx.lock(NOMINATIONS, nomination_id)
    found = load(tx.conn, select().where(NOMINATIONS.c.id == nomination_id), tx.now)
    if not found:
        raise UnknownNomination(nomination_id)
    return found[0]


def _member(tx: Transaction, user_id: str) -> Any:
    return tx.conn.execute(sa.select(MEMBERS.c.id, MEMBERS.c.status).where(MEMBERS.c.user_id == user_id)).first()


def holds(conn: sa.Connection, member_id: int, badge: str, level: int) -> bool:
    return (
        conn.scalar(
            sa.select(AWARDS.c.id).where(
                AWARDS.c.member_id == member_id,
                AWARDS.c.badge_slug == badge,
                AWARDS.c.level == level,
                AWARDS.c.revoked_at.is_(None),
            )
        )
        is not None
    )


# -- nominate --------------------------------------------------------------------------------


def nominate(gk: GuildKit, tx: Transaction, new: NewNomination, repeatable: bool) -> int:
    """Write a pending nomination; returns its id."""
    nominator_id = tx.members(new.nominator)[new.nominator]  # a suspended member may not nominate
    nominee = _member(tx, new.nominee)
    if nominee is None:
        raise ValidationError(_("%(field)s must be a member of the community", field="nominee"), field="nominee")
    if nominee.id == nominator_id:
        raise ValidationError(_("you cannot nominate yourself"), field="nominee")
    if nominee.status != "active":
        raise ValidationError(_("this member is not active, so they cannot be nominated"), field="nominee")
    if not repeatable and holds(tx.conn, nominee.id, new.badge, new.level):
        raise ValidationError(_("this member already holds this badge"), field="badge")
    same = (NOMINATIONS.c.nominee_id == nominee.id, NOMINATIONS.c.badge == new.badge, NOMINATIONS.c.level == new.level)
    _expire(gk, tx, sa.and_(*same), actor=None)  # an overdue one must not block a new one
    pending = tx.conn.scalar(sa.select(NOMINATIONS.c.id).where(*same, NOMINATIONS.c.state == "pending"))
    if pending is not None:
        raise DuplicateNomination(pending)
    expires_at = None if new.expire_days is None else tx.now + timedelta(days=new.expire_days)
    nomination_id = int(
        tx.conn.execute(
            NOMINATIONS.insert()
            .values(
                nominee_id=nominee.id, nominator_id=nominator_id, badge=new.badge, level=new.level,
                reason=new.reason, state="pending", needed=new.needed, role=new.role, approvals=0,
                created_at=tx.now, expires_at=expires_at, withdraw_reason="",
            )
            .returning(NOMINATIONS.c.id)
        ).scalar_one()
    )  # fmt: skip
    _audit(tx, new.nominator, "nomination.create", nomination_id, nominee.id, new.reason,
           {"badge": new.badge, "level": new.level, "needed": new.needed, "role": new.role})  # fmt: skip
    names = {
        "nominator": notices.display_name(gk, tx.conn, nominator_id),
        "nominee": notices.display_name(gk, tx.conn, nominee.id),
    }
    badge = notices.badge_written(gk.registry, new.badge, new.level)
    for approver in notices.approvers(tx.conn, new.role, besides=(nominee.id, nominator_id)):
        notices.tell(tx, approver, notices.AWAITING, notices.said(notices.MADE, badge, **names), nomination_id)
    return nomination_id


# -- votes -----------------------------------------------------------------------------------


def vote(gk: GuildKit, tx: Transaction, nomination_id: int, by: str, decision: str, reason: str) -> NominationView:
    """An approver's ``approve`` or ``reject``, with their reason."""
    found = locked(tx, nomination_id)
    approver_id = tx.members(by)[by]
    if approver_id == found.nominee_id:
        raise NotAllowed(_("you cannot decide on a nomination of yourself"), action=decision)
    if approver_id == found.nominator_id:
        raise NotAllowed(_("you cannot decide on your own nomination"), action=decision)
    if not notices.holds_role(tx.conn, approver_id, found.role):
        raise NotAllowed(_("only members with the role that approves this badge may decide on it"), action=decision)
    if found.vote_of(by) is not None:
        raise AlreadyVoted(found.id)
    reached = decision == "approve" and found.approvals + 1 >= found.needed
    new_state = states.next_state(found.state, decision, reached=reached)
    if decision == "approve":
        nominee = tx.conn.execute(sa.select(MEMBERS.c.status).where(MEMBERS.c.id == found.nominee_id)).scalar_one()
        if nominee != "active":
            raise NotAllowed(_("the nominee is not active: this nomination can only be rejected"), action=decision)
        if reached and found.badge not in gk.registry.badges:
            raise InvalidTransition(
                "nomination", found.state, decision,
                message=_("the badge of this nomination no longer exists: it can only be rejected"),
            )  # fmt: skip
    tx.conn.execute(
        VOTES.insert().values(
            nomination_id=found.id, approver_id=approver_id, decision=decision, reason=reason, created_at=tx.now
        )
    )
    values: dict[str, Any] = {"state": new_state}
    if decision == "approve":
        values["approvals"] = NOMINATIONS.c.approvals + 1
    if new_state != "pending":
        values.update(decided_at=tx.now, decided_by=approver_id)
    if new_state == "approved":
        values["award_key"] = award_key(found.id)
    _move(tx, found, values)
    approvals = found.approvals + (decision == "approve")
    _audit(tx, by, f"nomination.{decision}", found.id, found.nominee_id, reason,
           {"badge": found.badge, "level": found.level, "approvals": approvals, "needed": found.needed,
            "state": new_state})  # fmt: skip
    if new_state == "approved":
        _award(gk, tx, found, by)
    if new_state != "pending":
        _decided(gk, tx, found, new_state, by, reason, approvals)
    return found


def _award(gk: GuildKit, tx: Transaction, found: NominationView, by: str) -> None:
    """The badge, through the core's award, and the nominee told where it came from."""
    payload = award_payload(gk.registry, award_reason(found.id), badge=found.badge, level=found.level)
    subject = f"nomination:{found.id}"
    tx.record(AWARD, key=award_key(found.id), actor=by, target=found.nominee, subject=subject, payload=payload)
    if not holds(tx.conn, found.nominee_id, found.badge, found.level):
        # The nominee may not earn right now (a plugin withholds it): approve later, or reject.
        raise NotAllowed(_("the nominee cannot be given badges right now, so this nomination cannot be approved yet"))
    tx.record(
        APPROVED_ACTIVITY, key=f"{APPROVED_ACTIVITY}:{found.id}", actor=found.nominator, target=found.nominee,
        subject=subject, payload={"badge": found.badge, "level": found.level},
    )  # fmt: skip
    badge = notices.badge_written(gk.registry, found.badge, found.level)
    nominator = notices.display_name(gk, tx.conn, found.nominator_id)
    nominee = notices.display_name(gk, tx.conn, found.nominee_id)
    notices.tell(tx, found.nominee_id, notices.APPROVED, notices.said(notices.YOURS, badge, nominator=nominator),
                 found.id, badge=found.badge, level=found.level)  # fmt: skip
    notices.tell(tx, found.nominator_id, notices.DECIDED,
                 notices.said(notices.APPROVED_FOR_NOMINATOR, badge, nominee=nominee), found.id)  # fmt: skip


# -- withdraw and expire -----------------------------------------------------------------------


def withdraw(gk: GuildKit, tx: Transaction, nomination_id: int, by: str, reason: str) -> NominationView:
    """The nominator takes their nomination back."""
    found = locked(tx, nomination_id)
    member_id = tx.members(by)[by]
    if member_id != found.nominator_id:
        raise NotAllowed(_("only the member who made this nomination may withdraw it"), action="withdraw")
    new_state = states.next_state(found.state, "withdraw")
    _move(tx, found, {"state": new_state, "decided_at": tx.now, "decided_by": member_id, "withdraw_reason": reason})
    _audit(tx, by, "nomination.withdraw", found.id, found.nominee_id, reason,
           {"badge": found.badge, "level": found.level, "approvals": found.approvals})  # fmt: skip
    _decided(gk, tx, found, new_state, by, reason, found.approvals)
    return found


def expire_due(gk: GuildKit, tx: Transaction, actor: str | None) -> int:
    """Expire every pending nomination past its time; returns how many."""
    return _expire(gk, tx, sa.true(), actor)


def _expire(gk: GuildKit, tx: Transaction, where: sa.ColumnElement[bool], actor: str | None) -> int:
    due = load(
        tx.conn,
        select()
        .where(where, NOMINATIONS.c.state == "pending", NOMINATIONS.c.expires_at <= tx.now)
        .order_by(NOMINATIONS.c.id)
        .with_for_update(of=NOMINATIONS),
        tx.now,
    )
    for found in due:
        states.next_state(found.stored_state, "expire")
        _move(tx, found, {"state": "expired", "decided_at": tx.now})
        _audit(tx, actor, "nomination.expire", found.id, found.nominee_id, "",
               {"badge": found.badge, "level": found.level, "approvals": found.approvals})  # fmt: skip
        badge = notices.badge_written(gk.registry, found.badge, found.level)
        nominee = notices.display_name(gk, tx.conn, found.nominee_id)
        notices.tell(tx, found.nominator_id, notices.DECIDED,
                     notices.said(notices.EXPIRED_FOR_NOMINATOR, badge, nominee=nominee), found.id)  # fmt: skip
        _decided(gk, tx, found, "expired", None, "", found.approvals)
    return len(due)


# -- shared -----------------------------------------------------------------------------------


def _move(tx: Transaction, found: NominationView, values: dict[str, Any]) -> None:
    """Update the nomination only if it is still pending as read: the row lock makes this hold,
    the condition makes sure of it."""
    moved = tx.conn.execute(
        NOMINATIONS.update()
        .where(NOMINATIONS.c.id == found.id, NOMINATIONS.c.state == "pending",
               NOMINATIONS.c.approvals == found.approvals)
        .values(**values)
    ).rowcount  # fmt: skip
    if moved != 1:
        raise InvalidTransition("nomination", found.state, "change", message=states.refusal(found.state, "change"))


def _decided(
    gk: GuildKit, tx: Transaction, found: NominationView, state: str, by: str | None, reason: str, approvals: int
) -> None:
    if state == "rejected":
        badge = notices.badge_written(gk.registry, found.badge, found.level)
        nominee = notices.display_name(gk, tx.conn, found.nominee_id)
        said = notices.said(notices.REJECTED_FOR_NOMINATOR, badge, nominee=nominee, reason=reason)
        notices.tell(tx, found.nominator_id, notices.DECIDED, said, found.id)
    decision = NominationDecided(
        found.id, found.nominee, found.nominator, found.badge, found.level, state, by, reason, approvals,
        found.needed, award_key(found.id) if state == "approved" else None,
    )  # fmt: skip
    tx.announce("nomination_decided", decision=decision)


def _audit(
    tx: Transaction,
    actor: str | None,
    action: str,
    nomination_id: int,
    nominee_id: int,
    reason: str,
    details: dict[str, Any],
) -> None:
    key = f"nomination:{nomination_id}"
    audit.write(tx.conn, tx.now, area=AREA, actor=actor, action=action, target=key, member_id=nominee_id,
                subject=key, reason=reason, details=details)  # fmt: skip
