"""The ``guildkit.community`` plugin: the core community API and pages: members, badges, leaderboards, notifications.

It hands the feature to the core through guildkit's hooks; switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.community"]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from guildkit.markers import hookimpl
from guildkit.routes import Routes

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.community import api, pages

    return [api.api, pages.pages]
