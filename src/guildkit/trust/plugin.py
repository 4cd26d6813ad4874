"""The ``guildkit.trust`` plugin: trust levels 0-4 and the privileges they (or points, roles and
badges) unlock.

It hands the feature to the core through guildkit's hooks: its hooks, config, tables, routes,
``flask guildkit trust`` commands, the profile's trust section, ``gk.trust``, and ``gk.can`` and
``gk.privileges``. Other features build on it (moderation weighs reports by trust level).
Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.trust"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pluggy
import sqlalchemy as sa

from guildkit.branches import Branch, feature_branch
from guildkit.markers import hookimpl
from guildkit.models import table_of
from guildkit.routes import Routes
from guildkit.trust import config, hookspecs
from guildkit.trust.models import TrustLevel, TrustSweep

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit


@hookimpl
def guildkit_add_hookspecs(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(hookspecs)


@hookimpl
def guildkit_register_config(gk: GuildKit) -> Mapping[str, Any]:
    return config.DEFAULTS


@hookimpl(tryfirst=True)
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    # First: features set up after it (moderation) add privileges to the defaults filled in here.
    config.apply_structured_defaults(app.config)
    config.check(app.config)


@hookimpl
def guildkit_register_services(gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
    from guildkit.trust import Trust
    from guildkit.trust.privileges import Privileges

    return {
        "trust": Trust,
        "can": lambda gk: Privileges(gk).can,
        "privileges": lambda gk: Privileges(gk).statuses,
    }


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (TrustLevel, TrustSweep)]


@hookimpl
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch]:
    # Its tables' history, beside the core's: guildkit_trust_alembic_version.
    return [feature_branch("trust", Path(__file__).parent / "migrations", guildkit_register_tables(gk))]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.trust import api, pages

    return [api.api, pages.pages]


@hookimpl
def guildkit_register_commands(gk: GuildKit) -> Iterable[click.Command]:
    from guildkit.trust.cli import COMMANDS

    return COMMANDS


@hookimpl
def guildkit_template_includes(gk: GuildKit, slot: str) -> list[str] | None:
    return ["guildkit/trust/_member.html"] if slot == "member" else None
