"""The words for the activity types guildkit itself records (joining, the team's awards, opening
totals, expiry), so a member's history never shows ``guildkit.award``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from guildkit.definitions import ActivityTypeDef
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

ACTIVITY_TYPES = (
    ActivityTypeDef(
        "guildkit.joined", "Joined", actor="You joined the community", public="{actor} joined the community",
        goal_one="Join the community",
    ),
    ActivityTypeDef(
        "guildkit.award", "Award from the community team", target="The community team gave you this",
        public="{target} was recognised by the community team",
    ),
    ActivityTypeDef("guildkit.revoke", "Taken back by the community team", target="The community team took this back"),
    ActivityTypeDef("guildkit.status", "Membership change", target="Your membership changed"),
    ActivityTypeDef(
        "guildkit.opening", "Brought over", actor="Your history from before this community moved here",
        target="Your history from before this community moved here",
    ),
    ActivityTypeDef("guildkit.expiry", "Points expired", target="Points you earned a while ago expired"),
)  # fmt: skip


@hookimpl
def guildkit_register_activity_types(gk: GuildKit) -> Iterable[ActivityTypeDef]:
    return ACTIVITY_TYPES
