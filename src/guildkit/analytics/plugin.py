"""The ``guildkit.analytics`` plugin: community health KPIs and satisfaction surveys.

It hands the feature to the core through guildkit's hooks: its config, tables, routes, the
"Analytics" navigation link for managers, the open-survey notice and ``gk.analytics``. Switch it
off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.analytics"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
import sqlalchemy as sa
from flask import url_for

from guildkit.analytics import hookspecs, settings
from guildkit.analytics.models import Survey, SurveyResponse
from guildkit.branches import Branch, feature_branch
from guildkit.definitions import PageLink
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
    return settings.DEFAULTS


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    settings.check(app.config)


@hookimpl
def guildkit_register_permissions(gk: GuildKit) -> Mapping[str, str]:
    return {
        "analytics.view": "read the community health analytics (KPIs, churn lists, survey results)",
        "surveys.manage": "open and close satisfaction surveys",
    }


@hookimpl
def guildkit_register_services(gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
    from guildkit.analytics import Analytics

    return {"analytics": Analytics}


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (Survey, SurveyResponse)]


@hookimpl
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch]:
    # Its tables' history, beside the core's: guildkit_analytics_alembic_version.
    return [feature_branch("analytics", Path(__file__).parent / "migrations", guildkit_register_tables(gk))]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.analytics import api, pages

    return [api.api, pages.pages]


@hookimpl
def guildkit_page_links(gk: GuildKit, page: str) -> list[PageLink] | None:
    from guildkit.analytics import VIEW
    from guildkit.web.pages import caller

    who = caller()
    if page != "nav" or not (who.is_person and who.active and who.can(VIEW)):
        return None
    return [PageLink("Analytics", url_for(".analytics_dashboard"))]


@hookimpl
def guildkit_template_includes(gk: GuildKit, slot: str) -> list[str] | None:
    return ["guildkit/analytics/_survey_notice.html"] if slot == "notices" else None
