"""The ``guildkit.analytics`` plugin: community health KPIs and satisfaction surveys.

It hands the feature to the core through guildkit's hooks; switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.analytics"]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.analytics.models import Survey, SurveyResponse
from guildkit.models import table_of
from guildkit.plugins import hookimpl
from guildkit.routes import Routes

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (Survey, SurveyResponse)]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.analytics import api, pages

    return [api.api, pages.pages]
