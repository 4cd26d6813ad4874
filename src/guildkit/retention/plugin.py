"""The ``guildkit.retention`` plugin: part of the core, registered with the others
(``DEFAULT_PLUGINS``) and never switched off; with ``GUILDKIT_RETENTION_DAYS`` unset it does
nothing. It hands the core the ``GUILDKIT_RETENTION_*`` keys, its hook, the ``gk.retention``
service, the ``flask guildkit retention`` commands and the daily ``guildkit.retention.compact`` job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pluggy

from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.retention import config, hookspecs
from guildkit.retention.service import Retention

if TYPE_CHECKING:
    import click
    from flask import Flask

    from guildkit.extension import GuildKit

#: Compact what the policy made due (``flask guildkit retention compact``), as a job.
COMPACT = "guildkit.retention.compact"


def _compact(gk: GuildKit) -> dict[str, Any]:
    return gk.retention.compact().out()  # type: ignore[no-any-return]


class RetentionPlugin:
    @hookimpl
    def guildkit_add_hookspecs(self, pm: pluggy.PluginManager) -> None:
        pm.add_hookspecs(hookspecs)

    @hookimpl
    def guildkit_register_config(self, gk: GuildKit) -> Mapping[str, Any]:
        return config.DEFAULTS

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        config.check(app.config)

    @hookimpl
    def guildkit_register_services(self, gk: GuildKit) -> Mapping[str, Callable[[GuildKit], object]]:
        return {"retention": Retention}

    @hookimpl
    def guildkit_register_commands(self, gk: GuildKit) -> Iterable[click.Command]:
        from guildkit.retention.cli import COMMANDS

        return COMMANDS

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(COMPACT, _compact, "Compact activities older than GUILDKIT_RETENTION_DAYS (none when unset).")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # Daily: the cutoff moves a day at a time, and with the policy off a run reads nothing.
        return [PeriodicJob(COMPACT, timedelta(days=1))]


plugin = RetentionPlugin()
