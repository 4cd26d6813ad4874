"""The words for the activity types guildkit itself records (joining, the team's awards, opening
totals, expiry), so a member's history never shows ``guildkit.award``.

``_`` is ``lazy_gettext`` here: the words are declared once, and said in each reader's language
when shown (the ``{actor}`` and ``{target}`` placeholders are filled in then).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from guildkit.definitions import ActivityTypeDef
from guildkit.i18n import lazy_gettext as _
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

ACTIVITY_TYPES = (
    ActivityTypeDef(
        "guildkit.joined", _("Joined"), actor=_("You joined the community"),
        public=_("{actor} joined the community"), goal_one=_("Join the community"),
    ),
    ActivityTypeDef(
        "guildkit.award", _("Award from the community team"), target=_("The community team gave you this"),
        public=_("{target} was recognised by the community team"),
    ),
    ActivityTypeDef(
        "guildkit.revoke", _("Taken back by the community team"), target=_("The community team took this back"),
    ),
    ActivityTypeDef("guildkit.status", _("Membership change"), target=_("Your membership changed")),
    ActivityTypeDef(
        "guildkit.opening", _("Brought over"), actor=_("Your history from before this community moved here"),
        target=_("Your history from before this community moved here"),
    ),
    ActivityTypeDef("guildkit.expiry", _("Points expired"), target=_("Points you earned a while ago expired")),
)  # fmt: skip


@hookimpl
def guildkit_register_activity_types(gk: GuildKit) -> Iterable[ActivityTypeDef]:
    return ACTIVITY_TYPES
