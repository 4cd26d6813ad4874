"""What members read about mentorship activities (``mentorship.<step>``), and mentorships as subjects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.i18n import gettext
from guildkit.i18n import lazy_gettext as _
from guildkit.mentorship.models import Mentorship
from guildkit.models import Member
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

# Lazy: said in each reader's language when shown (the placeholders stay as they are).
ACTIVITY_TYPES = [
    ActivityTypeDef(
        "mentorship.requested", _("Mentorship request"),
        actor=_("You asked {target} to mentor you"), target=_("{actor} asked you to be their mentor"),
        public=_("{actor} asked {target} for mentoring"), subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.accepted", _("Mentorship accepted"),
        actor=_("You agreed to mentor {target}"), target=_("{actor} agreed to mentor you"),
        public=_("{actor} agreed to mentor {target}"), subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.declined", _("Mentorship declined"),
        actor=_("You declined {target}'s request"), target=_("{actor} declined your request"),
        subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.withdrawn", _("Mentorship request withdrawn"),
        actor=_("You withdrew your request to {target}"), target=_("{actor} withdrew their request"),
        subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.started", _("Mentorship started"),
        actor=_("You started {subject}"), target=_("{actor} started {subject}"), public=_("{actor} started {subject}"),
        subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.checked_in", _("Mentorship check-in"),
        actor=_("You checked in on {subject}"), target=_("{actor} checked in on {subject}"),
        goal=_("Check in {n} times with a mentor or mentee"), goal_one=_("Check in with a mentor or mentee"),
        subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.completed", _("Mentorship completed"),
        actor=_("You completed {subject}"), target=_("{actor} completed {subject} with you"),
        public=_("{actor} completed {subject}"),
        goal=_("Mentor {n} people to the end"), goal_one=_("Mentor someone to the end"),
        received_goal=_("Complete {n} mentorships as a mentee"),
        received_goal_one=_("Complete a mentorship as a mentee"),
        subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.ended", _("Mentorship ended"),
        actor=_("You ended {subject}"), target=_("{subject} was ended"), subject=_("a mentorship"),
    ),
    ActivityTypeDef(
        "mentorship.feedback", _("Mentorship feedback"),
        actor=_("You left feedback on {subject}"), target=_("{actor} left feedback on {subject}"),
        goal=_("Leave feedback on {n} mentorships"), goal_one=_("Leave feedback on a mentorship"),
        subject=_("a mentorship"),
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
            gettext("the mentorship of %(mentee)s by %(mentor)s", mentee=who[1], mentor=who[0]),
            page_url("mentorship", mentorship_id=mentorship_id),
        )
    return found
