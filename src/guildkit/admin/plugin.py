"""The ``guildkit.admin`` plugin: the admin console, its badges and roles (contributed to the
registry like any plugin's, see :mod:`.console`), and the stored definitions version that makes
a console edit reach every process.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.admin"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.admin import console
from guildkit.admin.models import ConsoleBadge, ConsoleRole, DefinitionsVersion, RulePreview, RulePreviewMember
from guildkit.admin.versions import read_version
from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.definitions import BadgeDef, RoleDef
    from guildkit.extension import GuildKit
    from guildkit.rules.base import Rule


class AdminFeature(Feature):
    name = "admin"
    models = (ConsoleBadge, ConsoleRole, DefinitionsVersion, RulePreview, RulePreviewMember)
    services = {"admin": "guildkit.admin:Admin"}
    nav = NavLink(lazy_gettext("Admin"), ".admin_home", permission="admin", staff=True)
    routes = ("guildkit.admin.api:api", "guildkit.admin.pages:pages", "guildkit.admin.rule_pages:pages")

    # The registry asks for badges first and rules last (see Registry.build): the first reads
    # the console's rows, the others reuse them, and the last lets them go.

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        return console.badges(gk)

    @hookimpl
    def guildkit_register_roles(self, gk: GuildKit) -> list[RoleDef]:
        return console.roles(gk)

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> list[Rule]:
        return console.rules(gk)

    @hookimpl
    def guildkit_badge_image(self, gk: GuildKit, slug: str) -> tuple[bytes, str] | None:
        image: tuple[bytes, str] | None = gk.admin.uploaded_image(slug)
        return image

    @hookimpl
    def guildkit_definitions_version(self, gk: GuildKit, engine: sa.Engine) -> int | None:
        return read_version(engine)


plugin = AdminFeature()
