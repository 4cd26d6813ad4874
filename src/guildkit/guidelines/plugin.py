"""The ``guildkit.guidelines`` plugin: versioned community guidelines and their acceptance, the
notice to accept a new version, and the earning gate (``GUILDKIT_REQUIRE_GUIDELINES``).

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.guidelines"]``.
"""

from __future__ import annotations

import sqlalchemy as sa

from guildkit.feature import Feature, NavLink
from guildkit.guidelines import gate
from guildkit.guidelines.models import Guidelines, GuidelinesAcceptance
from guildkit.i18n import lazy_gettext
from guildkit.markers import hookimpl


class GuidelinesFeature(Feature):
    name = "guidelines"
    models = (Guidelines, GuidelinesAcceptance)
    services = {"guidelines": "guildkit.guidelines:Guidelines"}
    nav = NavLink(lazy_gettext("Guidelines"), ".guidelines")
    includes = {"notices": "guildkit/guidelines/_notice.html"}

    @hookimpl
    def guildkit_earning_withheld(self, conn: sa.Connection, member_ids: frozenset[int]) -> list[int]:
        return gate.unaccepted(conn, member_ids)


plugin = GuidelinesFeature()
