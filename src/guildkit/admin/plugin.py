"""The ``guildkit.admin`` plugin: the admin console.

It hands the feature to the core through guildkit's hooks; switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.admin"]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.admin.models import AdminAudit, ConsoleBadge, ConsoleRole, DefinitionsVersion
from guildkit.models import table_of
from guildkit.plugins import hookimpl
from guildkit.routes import Routes

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (ConsoleBadge, ConsoleRole, AdminAudit, DefinitionsVersion)]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.admin import api, pages

    return [api.api, pages.pages]


# The console's definitions and its "Admin" nav link (see guildkit.admin.console).
from guildkit.admin.console import (  # noqa: E402
    guildkit_page_links,
    guildkit_register_badges,
    guildkit_register_roles,
    guildkit_register_rules,
)

__all__ = [
    "guildkit_page_links",
    "guildkit_register_badges",
    "guildkit_register_roles",
    "guildkit_register_routes",
    "guildkit_register_rules",
    "guildkit_register_tables",
]
