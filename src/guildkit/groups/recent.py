"""A group's recent activity, in words, and finding a member by what a manager typed.

The group page lists what its members did lately, as the sentences members read anywhere else
(:class:`guildkit.words.Words`, the public side: "Ada answered *How do I cache a join?*"). Only
members who show on boards are listed (a member who keeps off leaderboards keeps their
timeline to themself, as on their profile), and guildkit's own activity types (awards, status
changes) never are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from markupsafe import Markup

from guildkit.groups.models import GroupMembership
from guildkit.i18n import gettext as _
from guildkit.models import Activity, Member, table_of
from guildkit.subjects import resolve
from guildkit.words import Words, member_names

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

MEMBERSHIPS = table_of(GroupMembership)
ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
SHOWN = 10


def activity(gk: GuildKit, group_id: int, limit: int = SHOWN) -> list[dict[str, Any]]:
    """The group's members' latest activities, newest first: ``html`` (the sentence, its subject
    linked) and ``at``."""
    rows = gk.session.execute(
        sa.select(ACTIVITIES.c.type, ACTIVITIES.c.subject, ACTIVITIES.c.actor_id, ACTIVITIES.c.target_id,
                  ACTIVITIES.c.occurred_at)
        .join(MEMBERSHIPS, MEMBERSHIPS.c.member_id == ACTIVITIES.c.actor_id)
        .join(MEMBERS, MEMBERS.c.id == ACTIVITIES.c.actor_id)
        .where(
            MEMBERSHIPS.c.group_id == group_id,
            MEMBERSHIPS.c.state == "member",
            MEMBERS.c.status == "active",
            MEMBERS.c.leaderboard_opt_out == sa.false(),
            ACTIVITIES.c.retracted_at.is_(None),
            ~ACTIVITIES.c.type.startswith("guildkit."),
        )
        .order_by(ACTIVITIES.c.occurred_at.desc(), ACTIVITIES.c.id.desc())
        .limit(limit)
    ).all()  # fmt: skip
    words = Words(gk.registry)
    subjects = resolve(gk, (r.subject for r in rows if r.subject))
    names = member_names(gk, {m for r in rows for m in (r.actor_id, r.target_id) if m is not None})
    found = []
    for r in rows:
        said = words.sentence(
            r.type, "public", subject_key=r.subject, subject=subjects.get(r.subject or ""),
            actor=names.get(r.actor_id), target=names.get(r.target_id or 0), html=True,
        )  # fmt: skip
        if not _names_actor(gk, r.type):  # "Visit", "Upvote on an answer: …": say who, as its words do not
            said = Markup(_("%(member)s: %(what)s")) % {"member": names.get(r.actor_id, ""), "what": said}
        found.append({"html": Markup(said), "at": r.occurred_at})
    return found


def _names_actor(gk: GuildKit, activity_type: str) -> bool:
    words = gk.registry.activity_types.get(activity_type)
    return words is not None and words.public is not None and "{actor}" in str(words.public)


def find_member(gk: GuildKit, typed: str) -> str | None:
    """The user id of the member a manager means: their id, else the one member with that
    display name (any case); ``None`` when there is none, or more than one."""
    typed = typed.strip()
    if not typed:
        return None
    found = gk.session.scalar(sa.select(MEMBERS.c.user_id).where(MEMBERS.c.user_id == typed))
    if found is not None:
        return str(found)
    named = gk.session.execute(
        sa.select(MEMBERS.c.user_id).where(sa.func.lower(MEMBERS.c.display_name) == typed.lower()).limit(2)
    ).scalars().all()  # fmt: skip
    return str(named[0]) if len(named) == 1 else None
