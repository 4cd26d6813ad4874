"""The ``guildkit.community`` plugin: the core pages and JSON API (members, badges, leaderboards,
notifications, activity ingestion). Part of the core: the deny list cannot switch it off.
"""

from __future__ import annotations

from pathlib import Path

from guildkit.feature import Feature


class CommunityFeature(Feature):
    name = "community"
    folder = Path(__file__).parent
    routes = ("guildkit.community.api:api", "guildkit.community.pages:pages")


plugin = CommunityFeature()
