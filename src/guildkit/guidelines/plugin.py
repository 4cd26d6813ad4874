"""The ``guildkit.guidelines`` plugin: versioned community guidelines and their acceptance.

It hands the feature to the core through guildkit's hooks: its hook, config, tables, routes, the
"Guidelines" navigation link and the notice to accept a new version, the earning gate
(``GUILDKIT_REQUIRE_GUIDELINES``) and ``gk.guidelines``. Switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.guidelines"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
import sqlalchemy as sa
from flask import url_for

from guildkit.branches import Branch, feature_branch
from guildkit.definitions import PageLink
from guildkit.guidelines import config, gate, hookspecs
from guildkit.guidelines.models import Guidelines, GuidelinesAcceptance
from guildkit.markers import hookimpl
from guildkit.models import table_of
from guildkit.routes import Routes

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit


@hookimpl
def guildkit_add_hookspecs(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(hookspecs)


@hookimpl
def guildkit_register_config(gk: GuildKit) -> Mapping[str, Any]:
    return config.DEFAULTS


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    config.check(app.config)


@hookimpl
def guildkit_register_services(gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
    from guildkit.guidelines import Guidelines as GuidelinesService

    return {"guidelines": GuidelinesService}


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (Guidelines, GuidelinesAcceptance)]


@hookimpl
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch]:
    # Its tables' history, beside the core's: guildkit_guidelines_alembic_version.
    return [feature_branch("guidelines", Path(__file__).parent / "migrations", guildkit_register_tables(gk))]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.guidelines import api, pages

    return [api.api, pages.pages]


@hookimpl
def guildkit_earning_withheld(conn: sa.Connection, member_ids: frozenset[int]) -> list[int]:
    return gate.unaccepted(conn, member_ids)


@hookimpl
def guildkit_page_links(gk: GuildKit, page: str) -> list[PageLink] | None:
    if page != "nav":
        return None
    return [PageLink("Guidelines", url_for(".guidelines"))]


@hookimpl
def guildkit_template_includes(gk: GuildKit, slot: str) -> list[str] | None:
    return ["guildkit/guidelines/_notice.html"] if slot == "notices" else None
