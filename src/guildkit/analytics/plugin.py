"""The ``guildkit.analytics`` plugin: community health KPIs and satisfaction surveys, for managers.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.analytics"]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from guildkit.analytics import VIEW, settings
from guildkit.analytics.models import ROLLUP_MODELS, Survey, SurveyResponse
from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: Bring the KPI rollups up to date (``flask guildkit analytics rollup``), as a job.
ROLLUP = "guildkit.analytics.rollup"


def _rollup(gk: GuildKit) -> dict[str, object]:
    return gk.analytics.refresh().out()  # type: ignore[no-any-return]


class AnalyticsFeature(Feature):
    name = "analytics"
    config = settings
    models = (Survey, SurveyResponse, *ROLLUP_MODELS)
    commands = "guildkit.analytics.cli:COMMANDS"
    routes = ("guildkit.analytics.api:api", "guildkit.analytics.pages:pages", "guildkit.analytics.survey_pages:pages")
    services = {"analytics": "guildkit.analytics:Analytics"}
    permissions = {
        VIEW: lazy_gettext("read the community health analytics (KPIs, churn lists, survey results)"),
        "surveys.manage": lazy_gettext("open and close satisfaction surveys"),
    }
    nav = NavLink(lazy_gettext("Analytics"), ".analytics_dashboard", permission=VIEW, staff=True)
    includes = {"notices": "guildkit/analytics/_survey_notice.html"}

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(ROLLUP, _rollup, "Bring the community health KPI rollups up to date.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # Every KPI read refreshes too; running it often keeps that refresh a few index probes.
        return [PeriodicJob(ROLLUP, timedelta(minutes=15))]


plugin = AnalyticsFeature()
