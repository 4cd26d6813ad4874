"""The periodic sweep (``flask guildkit mentorship sweep``): expire old requests, recognise lasting impact.

* A request unanswered for ``GUILDKIT_MENTORSHIP_REQUEST_DAYS`` becomes ``expired``.
* A completed mentorship whose mentee recorded any activity on or after completion +
  ``GUILDKIT_MENTEE_RETAINED_DAYS`` days records ``mentorship.mentee_retained`` (actor: the
  mentor, target: the mentee) once; ``retained_at`` marks it done.

Both run in one transaction and are idempotent: a second run finds nothing left to do (and the
activity keys are exactly-once anyway).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from guildkit.i18n import N_
from guildkit.mentorship import lifecycle, views
from guildkit.mentorship.views import MENTORSHIPS
from guildkit.models import Activity, table_of
from guildkit.transaction import Transaction

ACTIVITIES = table_of(Activity)


def expire(tx: Transaction, days: int, name: lifecycle.Name) -> int:
    cutoff = tx.now - timedelta(days=days)
    due = tx.conn.execute(
        sa.select(MENTORSHIPS.c.id)
        .where(MENTORSHIPS.c.state == "requested", MENTORSHIPS.c.requested_at <= cutoff)
        .order_by(MENTORSHIPS.c.id)
    ).scalars()
    expired = 0
    for mentorship_id in list(due):
        tx.lock(MENTORSHIPS, mentorship_id)
        found = views.mentorship(tx.conn, mentorship_id)
        if found is None or found.state != "requested":
            continue  # answered meanwhile
        lifecycle.set_state(tx, found, lifecycle.next_state(found.state, "expire"), None, decided_at=tx.now)
        lifecycle.record(tx, found, "expired", actor=None, target=found.mentor, mentee=found.mentee)
        said = N_("Your request to %(name)s expired unanswered.")
        lifecycle.tell(tx, found.mentee_member_id, found, said, name=name(found.mentor))
        expired += 1
    return expired


def retain(tx: Transaction, days: int) -> int:
    gap = timedelta(days=days)
    due = tx.conn.execute(
        sa.select(MENTORSHIPS.c.id, MENTORSHIPS.c.mentee_id, MENTORSHIPS.c.ended_at)
        .where(
            MENTORSHIPS.c.state == "completed",
            MENTORSHIPS.c.retained_at.is_(None),
            MENTORSHIPS.c.ended_at <= tx.now - gap,
        )
        .order_by(MENTORSHIPS.c.id)
    ).all()
    retained = 0
    for row in due:
        still_here = tx.conn.execute(
            sa.select(ACTIVITIES.c.id)
            .where(ACTIVITIES.c.actor_id == row.mentee_id, ACTIVITIES.c.occurred_at >= row.ended_at + gap)
            .limit(1)
        ).first()
        if still_here is None:
            continue
        tx.lock(MENTORSHIPS, row.id)
        marked = tx.conn.execute(
            sa.update(MENTORSHIPS)
            .where(MENTORSHIPS.c.id == row.id, MENTORSHIPS.c.retained_at.is_(None))
            .values(retained_at=tx.now)
        )
        found = views.mentorship(tx.conn, row.id)
        if marked.rowcount != 1 or found is None:
            continue  # another sweep got there first
        lifecycle.record(tx, found, "mentee_retained", actor=found.mentor, target=found.mentee, days=days)
        retained += 1
    return retained
