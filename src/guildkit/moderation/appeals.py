"""Appeals: a member asks another moderator to look again at one action taken about them.

An appealable action is a sanction (``warn``, ``mute``, ``suspend``, ``ban``) or a case resolved
with ``revoke_badge`` or ``retract``; each is appealed at most once (unique ``sanction_id`` /
``case_id`` on ``guildkit_appeals``). Suspended and banned members may appeal: that is the point.

=============  ================================================  ==============================
state          decision (a moderator: not the appellant, not     effect
               the one who took the action) → next state
=============  ================================================  ==============================
``pending``    uphold (reason) → ``upheld``                      the member is told
               overturn (reason) → ``overturned``                the sanction is lifted and
                                                                 marked overturned; a suspended
                                                                 or banned member is set back to
                                                                 ``active`` (unless another ban
                                                                 or suspension holds); a revoked
                                                                 badge is awarded again
=============  ================================================  ==============================

An overturned ``retract`` is recorded and told, but the retracted activity stays retracted:
record it again under a new key if it should count. Deciding locks the appeal row, so of two
moderators deciding at once exactly one decides; the other gets an
:class:`~guildkit.errors.InvalidTransition`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from guildkit.builtin.manual import AWARD
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.moderation import sanctions, views
from guildkit.moderation.common import (
    ACTIVITIES,
    APPEALABLE_CASE_ACTIONS,
    APPEALS,
    AWARDS,
    CASES,
    MEMBERS,
    SANCTIONS,
    audit,
)
from guildkit.moderation.errors import UnknownAppeal
from guildkit.moderation.views import ActionView, AppealView
from guildkit.notes import Said
from guildkit.transaction import Transaction

#: A decision → the appeal's new state.
DECISIONS = {"uphold": "upheld", "overturn": "overturned"}

#: What the member is told of the decision, by what they appealed: ``(upheld, overturned)``.
TOLD = {
    "warn": (
        N_("Your appeal of the warning was not accepted: the warning stands. %(reason)s"),
        N_("Your appeal of the warning was accepted: the warning is withdrawn. %(reason)s"),
    ),
    "mute": (
        N_("Your appeal of the mute was not accepted: the mute stands. %(reason)s"),
        N_("Your appeal of the mute was accepted: the mute is lifted. %(reason)s"),
    ),
    "suspend": (
        N_("Your appeal of the suspension was not accepted: the suspension stands. %(reason)s"),
        N_("Your appeal of the suspension was accepted: the suspension is lifted. %(reason)s"),
    ),
    "ban": (
        N_("Your appeal of the ban was not accepted: the ban stands. %(reason)s"),
        N_("Your appeal of the ban was accepted: the ban is lifted. %(reason)s"),
    ),
    "revoke_badge": (
        N_("Your appeal about the badge taken back was not accepted: it stays taken back. %(reason)s"),
        N_("Your appeal about the badge taken back was accepted: the badge is yours again. %(reason)s"),
    ),
    # The retracted activity stays retracted either way (see above): say no more than the decision.
    "retract": (
        N_("Your appeal about the undone activity was not accepted. %(reason)s"),
        N_("Your appeal about the undone activity was accepted. %(reason)s"),
    ),
}
TOLD_OTHER = (
    N_("Your appeal was not accepted: the action stands. %(reason)s"),
    N_("Your appeal was accepted: the action is lifted. %(reason)s"),
)


def file(tx: Transaction, user: str, sanction_id: int | None, case_id: int | None, statement: str) -> int:
    member_id = tx.members(user, active=False)[user]
    if sanction_id is not None:
        tx.lock(SANCTIONS, sanction_id)
        owner = tx.conn.scalar(sa.select(SANCTIONS.c.member_id).where(SANCTIONS.c.id == sanction_id))
        if owner != member_id:
            raise ValidationError(_("you have no sanction with that id"), field="sanction_id")
        taken = APPEALS.c.sanction_id == sanction_id
        field, related_case = (
            "sanction_id",
            tx.conn.scalar(sa.select(SANCTIONS.c.case_id).where(SANCTIONS.c.id == sanction_id)),
        )
    else:
        assert case_id is not None
        tx.lock(CASES, case_id)
        row = tx.conn.execute(sa.select(CASES.c.member_id, CASES.c.action).where(CASES.c.id == case_id)).first()
        if row is None or row.member_id != member_id or row.action not in APPEALABLE_CASE_ACTIONS:
            raise ValidationError(_("no badge revocation or retraction of yours has that case id"), field="case_id")
        taken, field, related_case = APPEALS.c.case_id == case_id, "case_id", case_id
    if tx.conn.scalar(sa.select(APPEALS.c.id).where(taken)) is not None:
        raise ValidationError(_("you already appealed this"), field=field)
    appeal_id = tx.conn.execute(
        sa.insert(APPEALS)
        .values(
            member_id=member_id,
            sanction_id=sanction_id,
            case_id=case_id,
            statement=statement,
            state="pending",
            created_at=tx.now,
        )
        .returning(APPEALS.c.id)
    ).scalar_one()
    audit(tx, member_id, "appeal", member_id, related_case, "", {"appeal_id": appeal_id, "sanction_id": sanction_id})
    return int(appeal_id)


def decide(tx: Transaction, by: str | None, appeal_id: int, decision: str, reason: str) -> None:
    tx.lock(APPEALS, appeal_id)
    found = views.appeal(tx.conn, appeal_id)
    if found is None:
        raise UnknownAppeal(appeal_id)
    if by is not None and by == found.user_id:
        raise NotAllowed(_("you cannot decide your own appeal"), user_id=by)
    if by is not None and by == found.acted_by:
        raise NotAllowed(_("the moderator who took the action cannot decide its appeal"), user_id=by)
    if found.state != "pending":
        raise InvalidTransition("appeal", found.state, "decide")
    me = tx.members(by)[by] if by is not None else None
    state = DECISIONS[decision]
    tx.conn.execute(
        APPEALS.update()
        .where(APPEALS.c.id == appeal_id)
        .values(state=state, decided_at=tx.now, decided_by=me, decision_reason=reason)
    )
    member_id = tx.members(found.user_id, active=False)[found.user_id]
    details: dict[str, Any] = {"appeal_id": appeal_id, "sanction_id": found.sanction_id}
    if state == "overturned":
        details.update(_overturn(tx, found, member_id, by))
    case_id = found.case_id or tx.conn.scalar(sa.select(SANCTIONS.c.case_id).where(SANCTIONS.c.id == found.sanction_id))
    audit(tx, me, f"appeal_{decision}", member_id, case_id, reason, details)
    told = TOLD.get(found.kind, TOLD_OTHER)[state == "overturned"]
    tx.tell(member_id, "moderation.appeal", Said(told, {"reason": reason}), appeal_id=appeal_id)


def _overturn(tx: Transaction, found: AppealView, member_id: int, by: str | None) -> dict[str, Any]:
    key = f"guildkit.moderation:appeal:{found.id}"
    why = N_("your appeal was accepted")  # read in the member's language; the appeal keeps its reason
    if found.sanction_id is not None:
        tx.conn.execute(
            SANCTIONS.update()
            .where(SANCTIONS.c.id == found.sanction_id)
            .values(overturned_at=tx.now, lifted_at=sa.func.coalesce(SANCTIONS.c.lifted_at, tx.now))
        )
        if found.kind in ("suspend", "ban"):
            status = tx.conn.scalar(sa.select(MEMBERS.c.status).where(MEMBERS.c.id == member_id))
            if status in ("suspended", "banned") and not sanctions.still_held(tx, member_id):
                sanctions.reactivate(tx, found.user_id, f"{key}:status", why, by)
                return {"status": "active"}
        return {}
    if found.kind == "revoke_badge":
        revoke_key = f"guildkit.moderation:{found.case_id}:revoke"
        revoked = tx.conn.execute(
            sa.select(AWARDS.c.badge_slug, AWARDS.c.level)
            .join(ACTIVITIES, ACTIVITIES.c.id == AWARDS.c.revoked_by_activity_id)
            .where(ACTIVITIES.c.key == revoke_key)
            .distinct()
            .order_by(AWARDS.c.badge_slug, AWARDS.c.level)
        ).all()
        for slug, level in revoked:
            payload = {"reason": why, "points": None, "point_type": None, "badge": slug, "level": level, "role": None}
            tx.record(AWARD, key=f"{key}:{slug}:{level}", actor=by, target=found.user_id, payload=payload)
        return {"restored": [f"{slug}:{level}" for slug, level in revoked]}
    return {}


def queue(conn: Any, state: str | None, limit: int) -> list[AppealView]:
    query = views.APPEAL_SELECT.order_by(APPEALS.c.created_at, APPEALS.c.id).limit(limit)
    if state is not None:
        query = query.where(APPEALS.c.state == state)
    return [views.appeal_of(r) for r in conn.execute(query)]


def of_member(conn: Any, member_id: int) -> list[AppealView]:
    query = views.APPEAL_SELECT.where(APPEALS.c.member_id == member_id).order_by(APPEALS.c.id.desc())
    return [views.appeal_of(r) for r in conn.execute(query)]


def actions(conn: Any, member_id: int, user: str, now: Any) -> list[ActionView]:
    """Everything about the member they may appeal, newest first, each with its appeal (if any)."""
    by_sanction: dict[int, AppealView] = {}
    by_case: dict[int, AppealView] = {}
    for filed in of_member(conn, member_id):
        if filed.sanction_id is not None:
            by_sanction[filed.sanction_id] = filed
        elif filed.case_id is not None:
            by_case[filed.case_id] = filed
    found = [
        ActionView(s.kind, s.id, None, s.reason, s.created_at, s.until, s.active, s.overturned, by_sanction.get(s.id))
        for s in sanctions.sanctions(conn, user, now)
    ]
    for row in conn.execute(
        sa.select(CASES.c.id, CASES.c.action, CASES.c.reason, CASES.c.resolved_at).where(
            CASES.c.member_id == member_id, CASES.c.action.in_(APPEALABLE_CASE_ACTIONS)
        )
    ):
        appeal = by_case.get(row.id)
        overturned = appeal is not None and appeal.state == "overturned"
        found.append(
            ActionView(row.action, None, row.id, row.reason or "", row.resolved_at, None, False, overturned, appeal)
        )
    return sorted(found, key=lambda a: a.at, reverse=True)
