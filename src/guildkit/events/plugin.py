"""The ``guildkit.events`` plugin: community events, RSVPs and the waitlist, check-in and attendance.

It hands the feature to the core through guildkit's hooks: its hooks, config, tables, routes, the
"Events" navigation link and ``gk.events``. Switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.events"]``.
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
from guildkit.events import config, hookspecs
from guildkit.events.models import Attendance, Event, EventOrganizer, Rsvp
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
    from guildkit.events import Events

    return {"events": Events}


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (Event, EventOrganizer, Rsvp, Attendance)]


@hookimpl
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch]:
    # Its tables' history, beside the core's: guildkit_events_alembic_version.
    return [feature_branch("events", Path(__file__).parent / "migrations", guildkit_register_tables(gk))]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.events import api, pages

    return [api.api, pages.pages]


@hookimpl
def guildkit_page_links(gk: GuildKit, page: str) -> list[PageLink] | None:
    if page != "nav":
        return None
    return [PageLink("Events", url_for(".events"))]


@hookimpl(optionalhook=True)
def guildkit_register_analytics_measures(gk: GuildKit) -> Iterable[tuple[str, str, Callable[..., Any]]]:
    from guildkit.events.measures import MEASURES

    return MEASURES
