"""The ``guildkit.admin`` plugin: the admin console.

It hands the feature to the core through guildkit's hooks: its config, tables, routes, the
console's badges and roles (``guildkit.admin.console``: definitions, the "Admin" navigation
link, the stored definitions version) and ``gk.admin``. Switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.admin"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.admin import config
from guildkit.admin.models import ConsoleBadge, ConsoleRole, DefinitionsVersion
from guildkit.branches import Branch, feature_branch
from guildkit.markers import hookimpl
from guildkit.models import table_of
from guildkit.routes import Routes

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit


@hookimpl
def guildkit_register_config(gk: GuildKit) -> Mapping[str, Any]:
    return config.DEFAULTS


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    config.check(app.config)


@hookimpl
def guildkit_register_services(gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
    from guildkit.admin import Admin

    return {"admin": Admin}


@hookimpl
def guildkit_definitions_version(gk: GuildKit, engine: sa.Engine) -> int | None:
    from guildkit.admin.versions import read_version

    return read_version(engine)


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (ConsoleBadge, ConsoleRole, DefinitionsVersion)]


@hookimpl
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch]:
    # Its tables' history, beside the core's: guildkit_admin_alembic_version.
    return [feature_branch("admin", Path(__file__).parent / "migrations", guildkit_register_tables(gk))]


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
