"""The ``guildkit.kudos`` plugin: kudos between members, their budget, wall, API and hook.

Besides the parts :class:`~guildkit.feature.Feature` hands over (tables, service ``gk.kudos``,
config, routes, the navigation link, a section on the member's own profile, the words of the
``kudos.given`` activity, a member's data rights), it links every profile to the member's kudos
and, for other members, to the form to give them kudos (``guildkit_page_links``, page
``member``), and contributes the default rewards of :mod:`.rewards` while
``GUILDKIT_KUDOS_REWARDS`` is on.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.kudos"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app

from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext
from guildkit.kudos import rewards
from guildkit.kudos.models import Kudos, KudosBudget
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.definitions import BadgeDef, PageLink, PointTypeDef
    from guildkit.extension import GuildKit
    from guildkit.rules.base import Rule


def _rewarding() -> bool:
    return bool(current_app.config["GUILDKIT_KUDOS_REWARDS"])


class KudosFeature(Feature):
    name = "kudos"
    models = (Kudos, KudosBudget)
    services = {"kudos": "guildkit.kudos.service:Kudos"}
    nav = NavLink(lazy_gettext("Kudos"), ".kudos_wall")
    includes = {"member": "guildkit/kudos/_member.html"}

    @hookimpl
    def guildkit_page_links(
        self, gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None
    ) -> list[PageLink] | None:
        if page == "member":
            from guildkit.kudos.pages import profile_links  # the web views load only when a page renders

            return profile_links(gk, subject["user_id"], viewer)
        return self._page_links(gk, page, viewer)

    @hookimpl
    def guildkit_register_point_types(self, gk: GuildKit) -> tuple[PointTypeDef, ...]:
        return (rewards.POINT_TYPE,) if _rewarding() else ()

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> tuple[BadgeDef, ...]:
        return rewards.BADGES if _rewarding() else ()

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> tuple[Rule, ...]:
        return rewards.RULES if _rewarding() else ()


plugin = KudosFeature()
