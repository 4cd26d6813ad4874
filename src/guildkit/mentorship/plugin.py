"""The ``guildkit.mentorship`` plugin: mentor profiles, matching and the mentorship lifecycle.

It hands the feature to the core through guildkit's hooks: its hooks, config, tables, routes,
``flask guildkit mentorship`` commands, the "Mentoring" navigation link and ``gk.mentorship``.
Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.mentorship"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pluggy
import sqlalchemy as sa
from flask import url_for

from guildkit.branches import Branch, feature_branch
from guildkit.definitions import PageLink
from guildkit.markers import hookimpl
from guildkit.mentorship import config, hookspecs
from guildkit.mentorship.models import MentorProfile, Mentorship, MentorshipCheckIn, MentorshipFeedback
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
    from guildkit.mentorship import Mentorship as MentorshipService

    return {"mentorship": MentorshipService}


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (MentorProfile, Mentorship, MentorshipCheckIn, MentorshipFeedback)]


@hookimpl
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch]:
    # Its tables' history, beside the core's: guildkit_mentorship_alembic_version.
    return [feature_branch("mentorship", Path(__file__).parent / "migrations", guildkit_register_tables(gk))]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.mentorship import api, pages

    return [api.api, pages.pages]


@hookimpl
def guildkit_register_commands(gk: GuildKit) -> Iterable[click.Command]:
    from guildkit.mentorship.cli import COMMANDS

    return COMMANDS


@hookimpl
def guildkit_page_links(gk: GuildKit, page: str) -> list[PageLink] | None:
    if page != "nav":
        return None
    return [PageLink("Mentoring", url_for(".find_mentor"), also_current=(url_for(".my_mentorships"),))]


@hookimpl(optionalhook=True)
def guildkit_register_analytics_measures(gk: GuildKit) -> Iterable[tuple[str, str, Callable[..., Any]]]:
    from guildkit.mentorship.measures import MEASURES

    return MEASURES
