"""The ``guildkit.analytics`` plugin: community health KPIs and satisfaction surveys, for managers.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.analytics"]``.
"""

from __future__ import annotations

from guildkit.analytics import VIEW, settings
from guildkit.analytics.models import Survey, SurveyResponse
from guildkit.feature import Feature, NavLink


class AnalyticsFeature(Feature):
    name = "analytics"
    config = settings
    models = (Survey, SurveyResponse)
    services = {"analytics": "guildkit.analytics:Analytics"}
    permissions = {
        VIEW: "read the community health analytics (KPIs, churn lists, survey results)",
        "surveys.manage": "open and close satisfaction surveys",
    }
    nav = NavLink("Analytics", ".analytics_dashboard", permission=VIEW)
    includes = {"notices": "guildkit/analytics/_survey_notice.html"}


plugin = AnalyticsFeature()
