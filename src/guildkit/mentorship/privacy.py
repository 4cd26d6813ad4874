"""A member's data rights in mentorship: their profile, mentorships, check-ins and feedback in the
export; erasing removes what they wrote and closes what they leave open.

Erasing a member:

* deletes their mentor profile (pitch, availability, topics);
* empties the text they wrote: the goals and message of their requests, their check-in notes,
  their feedback comments, and the reasons they gave for declining or ending;
* closes their open mentorships: a request is withdrawn (they asked) or declined (they were asked),
  an accepted or active mentorship ends; the other member is told, the mentor's slot comes back;
* scrubs the other members' notifications about these mentorships ("Erin asked you to be their
  mentor" becomes "A former member asked you to be their mentor").

The mentorships themselves stay, for the other member's history and the counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.i18n import N_
from guildkit.mentorship.hookspecs import MentorshipChange
from guildkit.mentorship.models import HOLDING_STATES, OPEN_STATES
from guildkit.mentorship.views import CHECKINS, FEEDBACK, MEMBERS, MENTORSHIPS, PROFILES
from guildkit.notes import Said
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member

#: What the other member of a mentorship the erased member leaves open is told.
LEFT = N_("Mentorship #%(id)s is over: the other member left the community.")


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any]:
    m = member.id

    profile = rows(
        conn,
        sa.select(
            PROFILES.c.topics,
            PROFILES.c.languages,
            PROFILES.c.timezone,
            PROFILES.c.availability,
            PROFILES.c.capacity,
            PROFILES.c.pitch,
            PROFILES.c.open,
            PROFILES.c.created_at,
            PROFILES.c.updated_at,
        ).where(PROFILES.c.member_id == m),
    )
    role = sa.case((MENTORSHIPS.c.mentor_id == m, "mentor"), else_="mentee").label("role")
    mentorships = rows(
        conn,
        sa.select(
            MENTORSHIPS.c.id,
            role,
            MENTORSHIPS.c.state,
            MENTORSHIPS.c.goals,
            MENTORSHIPS.c.topics,
            MENTORSHIPS.c.language,
            MENTORSHIPS.c.timezone,
            MENTORSHIPS.c.message,
            MENTORSHIPS.c.requested_at,
            MENTORSHIPS.c.decided_at,
            MENTORSHIPS.c.started_at,
            MENTORSHIPS.c.ended_at,
            MENTORSHIPS.c.end_reason,
        )
        .where(sa.or_(MENTORSHIPS.c.mentor_id == m, MENTORSHIPS.c.mentee_id == m))
        .order_by(MENTORSHIPS.c.id),
    )
    return {
        "profile": profile[0] if profile else None,
        "mentorships": mentorships,
        "check_ins": rows(
            conn,
            sa.select(CHECKINS.c.mentorship_id, CHECKINS.c.held_on, CHECKINS.c.notes, CHECKINS.c.created_at)
            .where(CHECKINS.c.author_id == m)
            .order_by(CHECKINS.c.id),
        ),
        "feedback_given": rows(
            conn,
            sa.select(FEEDBACK.c.mentorship_id, FEEDBACK.c.rating, FEEDBACK.c.comment, FEEDBACK.c.created_at)
            .where(FEEDBACK.c.from_member_id == m)
            .order_by(FEEDBACK.c.id),
        ),
    }


def erase(gk: GuildKit, erasure: Erasure) -> None:
    conn, m = erasure.conn, erasure.member_id
    mentor_user = MEMBERS.alias("mentor_user")
    mentee_user = MEMBERS.alias("mentee_user")
    theirs = conn.execute(
        sa.select(
            MENTORSHIPS.c.id,
            MENTORSHIPS.c.mentor_id,
            MENTORSHIPS.c.mentee_id,
            MENTORSHIPS.c.state,
            MENTORSHIPS.c.ended_by,
            MENTORSHIPS.c.end_reason,
            mentor_user.c.user_id.label("mentor"),
            mentee_user.c.user_id.label("mentee"),
        )
        .join(mentor_user, mentor_user.c.id == MENTORSHIPS.c.mentor_id)
        .join(mentee_user, mentee_user.c.id == MENTORSHIPS.c.mentee_id)
        .where(sa.or_(MENTORSHIPS.c.mentor_id == m, MENTORSHIPS.c.mentee_id == m))
    ).all()
    written = [row.end_reason for row in theirs if row.ended_by == m and row.end_reason]
    for row in theirs:
        if row.state in OPEN_STATES:
            _close(erasure, row)
    ids = [row.id for row in theirs]
    if ids:
        conn.execute(MENTORSHIPS.update().where(MENTORSHIPS.c.mentee_id == m).values(goals="", message=""))
        conn.execute(
            MENTORSHIPS.update().where(MENTORSHIPS.c.id.in_(ids), MENTORSHIPS.c.ended_by == m).values(end_reason="")
        )
    conn.execute(CHECKINS.update().where(CHECKINS.c.author_id == m).values(notes=""))
    conn.execute(FEEDBACK.update().where(FEEDBACK.c.from_member_id == m).values(comment=""))
    conn.execute(PROFILES.delete().where(PROFILES.c.member_id == m))
    erasure.scrub_notifications("mentorship_id", ids, *written)


def _close(erasure: Erasure, row: Any) -> None:
    """End an open mentorship the member leaves behind, tell the other side, free the slot."""
    tx, m = erasure.tx, erasure.member_id
    as_mentor = row.mentor_id == m
    if row.state == "requested":
        new = "declined" if as_mentor else "withdrawn"
        values: dict[str, Any] = {"decided_at": tx.now}
    else:
        new = "ended"
        values = {"ended_at": tx.now}
    tx.conn.execute(
        MENTORSHIPS.update().where(MENTORSHIPS.c.id == row.id).values(state=new, ended_by=m, end_reason="", **values)
    )
    if row.state in HOLDING_STATES and not as_mentor:
        tx.conn.execute(
            PROFILES.update()
            .where(PROFILES.c.member_id == row.mentor_id, PROFILES.c.taken > 0)
            .values(taken=PROFILES.c.taken - 1)
        )
    other = row.mentee_id if as_mentor else row.mentor_id
    tx.tell(other, "mentorship", Said(LEFT, {"id": str(row.id)}), mentorship_id=row.id)
    mentor = erasure.tombstone if as_mentor else row.mentor
    mentee = row.mentee if as_mentor else erasure.tombstone
    tx.announce(
        "mentorship_changed",
        change=MentorshipChange(row.id, mentor, mentee, row.state, new, erasure.tombstone, "member erased"),
    )
