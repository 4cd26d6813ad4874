"""The ``guildkit.objectives`` plugin: community objectives on the analytics KPIs, their pages,
API, due-date job and hook.

Besides the parts :class:`~guildkit.feature.Feature` hands over (tables, service
``gk.objectives``, config, routes, the ``objectives.manage`` permission, a section on the
analytics dashboard through its ``"analytics"`` slot, a member's data rights), it registers the
``guildkit.objectives.upkeep`` job: capture the baselines whose start date came, decide the
objectives whose due date is over and tell their owners.

Objectives read the KPIs through ``gk.analytics``, so they need the analytics feature: switching
analytics off while objectives is on fails start-up. Switch both off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.analytics", "guildkit.objectives"]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from guildkit.errors import ConfigurationError
from guildkit.feature import Feature
from guildkit.i18n import lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.objectives.config import check
from guildkit.objectives.models import Objective, ObjectiveReading
from guildkit.objectives.service import PERMISSION

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit

UPKEEP = "guildkit.objectives.upkeep"


def _upkeep(gk: GuildKit) -> dict[str, Any]:
    return gk.objectives.upkeep().out()  # type: ignore[no-any-return]


class ObjectivesFeature(Feature):
    name = "objectives"
    models = (Objective, ObjectiveReading)
    services = {"objectives": "guildkit.objectives.service:Objectives"}
    permissions = {PERMISSION: lazy_gettext("set, change and archive the community objectives")}
    includes = {"analytics": "guildkit/objectives/_dashboard.html"}

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        if gk.pm.get_plugin("guildkit.analytics") is None:
            raise ConfigurationError("guildkit.objectives needs guildkit.analytics: switch both off, or neither")
        check(app.config)

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(UPKEEP, _upkeep, "Capture objectives' baselines, decide those due and tell their owners.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # An objective is decided within the hour after its due date ends.
        return [PeriodicJob(UPKEEP, timedelta(hours=1))]


plugin = ObjectivesFeature()
