"""The ``guildkit.jobs`` plugin: part of the core, registered first with the others
(``DEFAULT_PLUGINS``) and never switched off. It hands the core the ``GUILDKIT_JOBS_*`` keys, the
``gk.jobs`` service and the ``flask guildkit jobs|worker|beat`` commands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from guildkit.jobs import config
from guildkit.jobs.service import STATE_KEY, Jobs, JobsState
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    import click
    from flask import Flask

    from guildkit.extension import GuildKit


class JobsPlugin:
    @hookimpl
    def guildkit_register_config(self, gk: GuildKit) -> Mapping[str, Any]:
        return config.DEFAULTS

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        config.check(app.config)
        app.extensions[STATE_KEY] = JobsState()

    @hookimpl
    def guildkit_register_services(self, gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
        return {"jobs": Jobs}

    @hookimpl
    def guildkit_register_commands(self, gk: GuildKit) -> Iterable[click.Command]:
        from guildkit.jobs.cli import COMMANDS

        return COMMANDS


plugin = JobsPlugin()
