"""The ``guildkit.community`` plugin: the core pages and JSON API (members, badges, leaderboards,
notifications, activity ingestion, a member's privacy settings and data download), and
``gk.privacy`` (:mod:`guildkit.privacy`). Part of the core: the deny list cannot switch it off.
"""

from __future__ import annotations

from guildkit.feature import Feature


class CommunityFeature(Feature):
    name = "community"
    services = {"privacy": "guildkit.privacy:Privacy"}


plugin = CommunityFeature()
