"""The ``guildkit.moderation`` plugin: reports, moderation cases, sanctions, mediation and appeals.

It hands the feature to the core through guildkit's hooks; switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.moderation"]``. Sanctions and hiding have teeth through ``gk.can``:

* A muted member has no privileges until the mute ends, except ``content.visible``: a mute stops
  a member from taking part, it does not hide what they already wrote.
* ``content.visible`` (:data:`guildkit.moderation.VISIBLE`) is denied while the member has an
  open case that trusted members' spam reports hid (see ``docs/moderation.md``). guildkit adds
  the privilege to ``GUILDKIT_PRIVILEGES`` (for everyone: trust level 0) unless the host defines it.
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
from guildkit.errors import ConfigurationError
from guildkit.markers import hookimpl
from guildkit.models import table_of
from guildkit.moderation import config, hookspecs
from guildkit.moderation.hiding import VISIBLE
from guildkit.moderation.models import (
    Appeal,
    CaseNote,
    Mediation,
    MediationStatement,
    ModerationCase,
    Report,
    Sanction,
)
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
    if gk.pm.get_plugin("guildkit.trust") is None:
        raise ConfigurationError("guildkit.moderation needs guildkit.trust: switch both off, or neither")
    config.check(app.config)
    privileges = app.config["GUILDKIT_PRIVILEGES"]
    if VISIBLE not in privileges:
        # A new mapping: the host's own dict (maybe shared between apps) stays as they wrote it.
        app.config["GUILDKIT_PRIVILEGES"] = {**privileges, VISIBLE: {"trust_level": 0}}


@hookimpl
def guildkit_can(gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
    if privilege == VISIBLE:
        return False if granted and gk.moderation.member_hidden(user_id) else None
    if granted and gk.moderation.muted_until(user_id) is not None:
        return False
    return None


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [
        table_of(model)
        for model in (
            ModerationCase,
            Report,
            CaseNote,
            Sanction,
            Mediation,
            MediationStatement,
            Appeal,
        )
    ]


@hookimpl
def guildkit_register_migrations(gk: GuildKit) -> Iterable[Branch]:
    # Its tables' history, beside the core's: guildkit_moderation_alembic_version.
    return [feature_branch("moderation", Path(__file__).parent / "migrations", guildkit_register_tables(gk))]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.moderation import api, pages

    return [api.api, pages.pages]


@hookimpl
def guildkit_register_services(gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
    from guildkit.moderation import Moderation
    from guildkit.moderation.abuse import AbuseDetection

    return {"moderation": Moderation, "abuse": AbuseDetection}


@hookimpl
def guildkit_register_commands(gk: GuildKit) -> Iterable[click.Command]:
    from guildkit.moderation.cli import COMMANDS

    return COMMANDS


@hookimpl
def guildkit_page_links(gk: GuildKit, page: str) -> list[PageLink] | None:
    from guildkit.web.pages import caller

    who = caller()
    if page != "nav" or not (who.is_person and who.can("members.manage")):
        return None
    return [PageLink("Moderation", url_for(".moderation_queue"))]


@hookimpl(optionalhook=True)
def guildkit_register_analytics_measures(gk: GuildKit) -> Iterable[tuple[str, str, Callable[..., Any]]]:
    from guildkit.moderation.measures import MEASURES

    return MEASURES
