"""Groups as the API and the pages show them: words, never slugs, policy codes or activity types.

Members come out like the core's (:func:`guildkit.web.present.member_out`: a name, the host's
picture if any), so the pages draw them with the same avatar macro as profiles and boards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import flair
from guildkit.definitions import shown
from guildkit.groups.membership import JOINED
from guildkit.groups.views import GoalView, GroupBadgeView, GroupView, Membership, TeamStanding
from guildkit.i18n import format_number, ngettext
from guildkit.i18n import gettext as _
from guildkit.metrics import Count
from guildkit.models import Member
from guildkit.words import Words

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


def policy_labels() -> dict[str, str]:
    return {"open": _("Open: anyone may join"), "request": _("Ask to join: a maintainer approves"),
            "invite": _("By invitation only")}  # fmt: skip


def role_labels() -> dict[str, str]:
    return {"owner": _("Owner"), "maintainer": _("Maintainer"), "member": _("Member")}


def state_labels() -> dict[str, str]:
    return {"upcoming": _("Upcoming"), "running": _("Running"), "ended": _("Ended")}


def group_out(gk: GuildKit, group: GroupView) -> dict[str, Any]:
    return {
        "id": group.id,
        "slug": group.slug,
        "name": group.name,
        "description": group.description,
        "policy": group.policy,
        "policy_name": policy_labels()[group.policy],
        "capacity": group.capacity,
        "member_count": group.member_count,
        "full": group.full,
        "created_at": group.created_at,
    }


def people(gk: GuildKit, user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Name and picture of each member, as the core shows members: one read for the stored names,
    one call of the host's loader."""
    stored: dict[str, str | None] = {}
    if user_ids:
        stored = dict(gk.session.execute(
            sa.select(Member.user_id, Member.display_name).where(Member.user_id.in_(set(user_ids)))
        ).all())  # fmt: skip
    infos = gk.user_infos(user_ids)  # the host's batch loader, when it has one: one call
    found = {}
    for user_id in user_ids:
        info = infos[user_id]
        found[user_id] = {"user_id": user_id, "name": stored.get(user_id) or info.name,
                          "avatar_url": info.avatar_url, "profile_url": info.profile_url}  # fmt: skip
    flair.attach(gk, found.values())  # what they show after their names, asked once for the page
    return found


def memberships_out(gk: GuildKit, rows: list[Membership]) -> list[dict[str, Any]]:
    who = people(gk, [m.user_id for m in rows])
    roles = role_labels()
    return [
        {**who[m.user_id], "state": m.state, "role": m.role, "role_name": roles[m.role], "since": m.since, "by": m.by}
        for m in rows
    ]


def goal_words(gk: GuildKit, activity_type: str, target: int) -> str:
    """What a goal asks, in words: "Answer 500 questions" (the group's own joins: "5 members join")."""
    if activity_type == JOINED:  # the type's words ask a member to join groups; a group's goal counts joins
        return ngettext("%(count)s member joins", "%(count)s members join", target, count=format_number(target))
    return Words(gk.registry).goal(Count(activity_type), target)


def badge_name(gk: GuildKit, slug: str) -> str:
    definition = gk.registry.badges.get(slug)
    return shown(definition.name) if definition is not None else slug


def goal_out(gk: GuildKit, goal: GoalView) -> dict[str, Any]:
    progress = goal.progress
    return {
        "id": goal.id,
        "name": goal.name,
        "activity_type": goal.activity_type,
        "what": goal_words(gk, goal.activity_type, goal.target),
        "activity_name": Words(gk.registry).label(goal.activity_type),
        "target": goal.target,
        "starts_at": goal.starts_at,
        "ends_at": goal.ends_at,
        "recurring": goal.recurring,
        "min_contribution": goal.min_contribution,
        "badge": goal.badge,
        "badge_name": badge_name(gk, goal.badge),
        "defines_badge": goal.defines_badge,
        "state": goal.state,
        "state_name": state_labels()[goal.state],
        "period_start": progress.period_start,
        "period_end": progress.period_end,
        "count": progress.count,
        "percent": goal.percent,
        "reached": goal.reached,
        "reached_at": progress.reached_at,
    }


def group_badge_out(gk: GuildKit, badge: GroupBadgeView) -> dict[str, Any]:
    definition = gk.registry.badges.get(badge.badge)
    return {
        "badge": badge.badge,
        "name": badge_name(gk, badge.badge),
        "tier": definition.levels[0].tier if definition is not None else "bronze",
        "goal_id": badge.goal_id,
        "goal_name": badge.goal_name,
        "period_start": badge.period_start,
        "reached_at": badge.reached_at,
        "awarded": badge.awarded_at is not None,
    }


def team_out(gk: GuildKit, standing: TeamStanding) -> dict[str, Any]:
    return {
        "rank": standing.rank,
        "group": standing.group.slug,
        "name": standing.group.name,
        "total": standing.total,
        "members": standing.members,
        "score": standing.score,
    }
