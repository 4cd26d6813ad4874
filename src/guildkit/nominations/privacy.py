"""The nominations feature's part of a member's data rights (see docs/nominations.md#privacy).

**Export**: the nominations they made (with their reasons), the nominations of them in every
state (with the nominator and reason, and each decision's reason but not who gave it: that is
the approvers' data), and the decisions they gave as an approver.

**Erase** (the member row itself is pseudonymised by the core, so every name shown becomes "A
former member"):

* their pending nominations, made by them or of them, are withdrawn: nobody is left to nominate
  or to award (the nominator is told when it was a nomination of the erased member);
* what they wrote is emptied: the reasons of the nominations they made, of their withdrawals and
  of their decisions; votes stay, so approved nominations still show how many approved;
* text others wrote that may name them (the reasons of nominations of them, the decisions on
  nominations by or of them, the notifications about those) is scrubbed of their names and user id.

An approved nomination stays, like the badge it gave: it is the nominee's recognition and the
record of the approvers' decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guildkit.i18n import N_
from guildkit.models import AuditRecord, Member, table_of
from guildkit.nominations.hookspecs import NominationDecided
from guildkit.nominations.lifecycle import AREA
from guildkit.nominations.views import NOMINATIONS, VOTES
from guildkit.notes import Said
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit

AUDIT = table_of(AuditRecord)

#: What the nominator of a nomination of an erased member is told.
LEFT = N_("Nomination #%(id)s was withdrawn: the member you nominated left the community.")


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
    m = member.id
    nominee, nominator = aliased(Member), aliased(Member)
    columns = (
        NOMINATIONS.c.id, NOMINATIONS.c.badge, NOMINATIONS.c.level, NOMINATIONS.c.reason, NOMINATIONS.c.state,
        NOMINATIONS.c.approvals, NOMINATIONS.c.needed, NOMINATIONS.c.created_at, NOMINATIONS.c.decided_at,
    )  # fmt: skip
    made = rows(
        conn,
        sa.select(*columns, nominee.user_id.label("nominee"), NOMINATIONS.c.withdraw_reason)
        .join(nominee, nominee.id == NOMINATIONS.c.nominee_id)
        .where(NOMINATIONS.c.nominator_id == m)
        .order_by(NOMINATIONS.c.id),
    )
    received = rows(
        conn,
        sa.select(*columns, nominator.user_id.label("nominator"))
        .join(nominator, nominator.id == NOMINATIONS.c.nominator_id)
        .where(NOMINATIONS.c.nominee_id == m)
        .order_by(NOMINATIONS.c.id),
    )
    decisions: dict[int, list[dict[str, Any]]] = {}
    for row in rows(
        conn,
        sa.select(VOTES.c.nomination_id, VOTES.c.decision, VOTES.c.reason, VOTES.c.created_at)
        .join(NOMINATIONS, NOMINATIONS.c.id == VOTES.c.nomination_id)
        .where(NOMINATIONS.c.nominee_id == m)
        .order_by(VOTES.c.id),
    ):
        decisions.setdefault(row.pop("nomination_id"), []).append(row)
    for row in received:
        row["decisions"] = decisions.get(row["id"], [])
    given = rows(
        conn,
        sa.select(VOTES.c.nomination_id, VOTES.c.decision, VOTES.c.reason, VOTES.c.created_at)
        .where(VOTES.c.approver_id == m)
        .order_by(VOTES.c.id),
    )
    if not (made or received or given):
        return None
    return {"made": made, "received": received, "decisions_given": given}


def erase(gk: GuildKit, erasure: Erasure) -> None:
    conn, m = erasure.conn, erasure.member_id
    theirs = conn.execute(
        sa.select(NOMINATIONS).where(sa.or_(NOMINATIONS.c.nominator_id == m, NOMINATIONS.c.nominee_id == m))
    ).all()
    written = [row.reason for row in theirs if row.nominator_id == m]
    written += [row.withdraw_reason for row in theirs if row.nominator_id == m and row.withdraw_reason]
    written += list(conn.execute(sa.select(VOTES.c.reason).where(VOTES.c.approver_id == m)).scalars())
    for row in theirs:
        if row.state == "pending":
            _withdraw(gk, erasure, row)
    conn.execute(NOMINATIONS.update().where(NOMINATIONS.c.nominator_id == m).values(reason="", withdraw_reason=""))
    conn.execute(VOTES.update().where(VOTES.c.approver_id == m).values(reason=""))
    ids = [row.id for row in theirs]
    if ids:
        erasure.scrub_rows(NOMINATIONS, NOMINATIONS.c.id.in_(ids), ("reason", "withdraw_reason"), *written)
        erasure.scrub_rows(VOTES, VOTES.c.nomination_id.in_(ids), ("reason",), *written)
    voted = list(conn.execute(sa.select(VOTES.c.nomination_id).where(VOTES.c.approver_id == m)).scalars())
    erasure.scrub_notifications("nomination_id", ids + voted, *written)
    # The audit log keeps what was done and by whom; their reasons there are their words too.
    logged = sa.and_(AUDIT.c.area == AREA, AUDIT.c.subject.in_([f"nomination:{i}" for i in {*ids, *voted}]))
    conn.execute(AUDIT.update().where(logged, AUDIT.c.actor == erasure.user_id).values(reason=""))
    erasure.scrub_rows(AUDIT, logged, ("reason",), *written)


def _withdraw(gk: GuildKit, erasure: Erasure, row: Any) -> None:
    """Close a pending nomination the erased member leaves behind; its nominator hears why."""
    tx, m = erasure.tx, erasure.member_id
    tx.conn.execute(
        NOMINATIONS.update()
        .where(NOMINATIONS.c.id == row.id, NOMINATIONS.c.state == "pending")
        .values(state="withdrawn", decided_at=tx.now, decided_by=None, withdraw_reason="")
    )
    if row.nominee_id == m:
        tx.tell(row.nominator_id, "nominations.decided", Said(LEFT, {"id": str(row.id)}), nomination_id=row.id,
                subject=f"nomination:{row.id}")  # fmt: skip
    users = _user_ids(erasure.conn, (row.nominee_id, row.nominator_id))
    nominee = erasure.tombstone if row.nominee_id == m else users[row.nominee_id]
    nominator = erasure.tombstone if row.nominator_id == m else users[row.nominator_id]
    decision = NominationDecided(row.id, nominee, nominator, row.badge, row.level, "withdrawn", None,
                                 "member erased", row.approvals, row.needed)  # fmt: skip
    tx.announce("nomination_decided", decision=decision)


def _user_ids(conn: sa.Connection, ids: tuple[int, ...]) -> dict[int, str]:
    found = conn.execute(sa.select(Member.id, Member.user_id).where(Member.id.in_(ids))).all()
    return {int(row.id): str(row.user_id) for row in found}
