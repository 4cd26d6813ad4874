"""What members read about mentorship activities (``mentorship.<step>``), and mentorships as subjects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.mentorship.models import Mentorship
from guildkit.models import Member
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

ACTIVITY_TYPES = [
    ActivityTypeDef(
        "mentorship.requested", "Mentorship request",
        actor="You asked {target} to mentor you", target="{actor} asked you to be their mentor",
        public="{actor} asked {target} for mentoring", subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.accepted", "Mentorship accepted",
        actor="You agreed to mentor {target}", target="{actor} agreed to mentor you",
        public="{actor} agreed to mentor {target}", subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.declined", "Mentorship declined",
        actor="You declined {target}'s request", target="{actor} declined your request", subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.withdrawn", "Mentorship request withdrawn",
        actor="You withdrew your request to {target}", target="{actor} withdrew their request", subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.started", "Mentorship started",
        actor="You started {subject}", target="{actor} started {subject}", public="{actor} started {subject}",
        subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.checked_in", "Mentorship check-in",
        actor="You checked in on {subject}", target="{actor} checked in on {subject}",
        goal="Check in {n} times with a mentor or mentee", goal_one="Check in with a mentor or mentee",
        subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.completed", "Mentorship completed",
        actor="You completed {subject}", target="{actor} completed {subject} with you",
        public="{actor} completed {subject}",
        goal="Mentor {n} people to the end", goal_one="Mentor someone to the end",
        received_goal="Complete {n} mentorships as a mentee", received_goal_one="Complete a mentorship as a mentee",
        subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.ended", "Mentorship ended",
        actor="You ended {subject}", target="{subject} was ended", subject="a mentorship",
    ),
    ActivityTypeDef(
        "mentorship.feedback", "Mentorship feedback",
        actor="You left feedback on {subject}", target="{actor} left feedback on {subject}",
        goal="Leave feedback on {n} mentorships", goal_one="Leave feedback on a mentorship", subject="a mentorship",
    ),
]  # fmt: skip


def subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """``mentorship:<id>`` → "the mentorship of <mentee> by <mentor>", linked to its page."""
    ids = [int(key.split(":", 1)[1]) for key in keys if key.startswith("mentorship:") and key[11:].isdigit()]
    if not ids:
        return None
    mentor, mentee = sa.orm.aliased(Member), sa.orm.aliased(Member)
    rows = gk.session.execute(
        sa.select(Mentorship.id, mentor.user_id, mentor.display_name, mentee.user_id, mentee.display_name)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .where(Mentorship.id.in_(ids))
    )
    found: dict[str, Subject] = {}
    for mentorship_id, mentor_user, mentor_name, mentee_user, mentee_name in rows:
        who = mentor_name or gk.user_info(mentor_user).name, mentee_name or gk.user_info(mentee_user).name
        found[f"mentorship:{mentorship_id}"] = Subject(
            f"the mentorship of {who[1]} by {who[0]}", page_url("mentorship", mentorship_id=mentorship_id)
        )
    return found
