"""The ``guildkit.groups`` plugin: groups, their membership, goals, badges, boards, pages and API.

Besides the parts :class:`~guildkit.feature.Feature` hands over, it counts activities toward
goals inside the recording transaction (``guildkit_activities_applied``), awards a reached
goal's contributors right after the commit (its own ``guildkit_group_goal_reached``, first), contributes
the badges goals define (``guildkit_register_badges``) and adds the goals' revisions to the
stored definitions version (a wrapper of ``guildkit_definitions_version``), and registers the
``guildkit.groups.upkeep`` job: award what a crash left due. It shows the group a member chose
after their name (``guildkit_member_flair``, :mod:`.flair`), chosen in the settings page's
``settings`` slot.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.groups"]``.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from guildkit.feature import Feature, NavLink
from guildkit.groups import awarding, badges, counting
from guildkit.groups.models import Group, GroupBadge, GroupGoal, GroupGoalContribution, GroupGoalPeriod, GroupMembership
from guildkit.i18n import lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    import sqlalchemy as sa

    from guildkit.activity import ActivityView
    from guildkit.definitions import BadgeDef, Flair
    from guildkit.extension import GuildKit
    from guildkit.groups.hookspecs import GroupGoalReached
    from guildkit.transaction import Transaction

UPKEEP = "guildkit.groups.upkeep"


def _upkeep(gk: GuildKit) -> dict[str, Any]:
    return {"awarded": awarding.award_due(gk)}


class GroupsFeature(Feature):
    name = "groups"
    models = (Group, GroupMembership, GroupGoal, GroupGoalPeriod, GroupGoalContribution, GroupBadge)
    services = {"groups": "guildkit.groups:Groups"}
    commands = "guildkit.groups.cli:COMMANDS"
    permissions = {
        "groups.create": "make groups (when GUILDKIT_GROUPS_CREATE is 'permission')",
        "groups.manage": "manage every group: its members, roles and goals",
    }
    nav = NavLink(lazy_gettext("Groups"), ".groups", also=(".team_board",))
    includes = {"settings": "guildkit/groups/_settings.html"}
    routes = (
        "guildkit.groups.api:api",
        "guildkit.groups.pages:pages",
        "guildkit.groups.settings:api",
        "guildkit.groups.settings:pages",
    )

    @hookimpl
    def guildkit_activities_applied(self, gk: GuildKit, tx: Transaction, activities: Sequence[ActivityView]) -> None:
        counting.count(tx, activities, gk.state.zone)

    @hookimpl(tryfirst=True)
    def guildkit_group_goal_reached(self, gk: GuildKit, reached: GroupGoalReached) -> None:
        # First among the implementations: the others are told once the badges are out.
        awarding.award(gk, reached.goal_id, reached.period_start)

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        with gk.store.engine.connect() as conn:
            return badges.defined(conn)

    @hookimpl(wrapper=True)
    def guildkit_definitions_version(self, gk: GuildKit, engine: sa.Engine) -> Generator[None, Any, int | None]:
        # Both numbers only grow, so their sum changes whenever either does.
        other: int | None = yield
        mine = badges.read_version(engine)
        return other if mine is None else (other or 0) + mine

    @hookimpl
    def guildkit_member_flair(self, gk: GuildKit, user_ids: Sequence[str]) -> Mapping[str, Flair]:
        from guildkit.groups import flair  # with the web layer it links into: loaded when names are shown

        return flair.shown(gk, list(user_ids))

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(UPKEEP, _upkeep, "Award the badges of group goals reached and not yet awarded.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        return [PeriodicJob(UPKEEP, timedelta(minutes=5))]


plugin = GroupsFeature()
