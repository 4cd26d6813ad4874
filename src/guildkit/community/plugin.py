"""The ``guildkit.community`` plugin: the core pages and JSON API (members, badges, leaderboards,
notifications, activity ingestion, a member's privacy settings and data download), and
``gk.privacy`` (:mod:`guildkit.privacy`), a member's language and time zone (``/settings``,
``gk.preferences``). Part of the core: the deny list cannot switch it off.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from guildkit import movement
from guildkit.feature import Feature
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


def _close_boards(gk: GuildKit) -> dict[str, int]:
    point_types = list(gk.registry.point_types)
    return gk.store.run_write(  # type: ignore[no-any-return]
        lambda conn: movement.close_periods(conn, gk.clock(), gk.state.zone, point_types)
    )


class CommunityFeature(Feature):
    name = "community"
    services = {"privacy": "guildkit.privacy:Privacy", "preferences": "guildkit.preferences:Preferences"}
    routes = (
        "guildkit.community.api:api",
        "guildkit.community.pages:pages",
        "guildkit.community.settings:api",
        "guildkit.community.settings:pages",
    )

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(movement.CLOSE_JOB, _close_boards, "Keep each leaderboard as it stood when its period began.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # The first run after a week or month ends does the work; the others find it done.
        return [PeriodicJob(movement.CLOSE_JOB, timedelta(minutes=5))]


plugin = CommunityFeature()
