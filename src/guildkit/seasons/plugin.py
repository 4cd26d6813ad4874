"""The ``guildkit.seasons`` plugin: seasons, their standings, pages, API, commands and job.

Besides the parts :class:`~guildkit.feature.Feature` hands over, it contributes the badges
seasons define (``guildkit_register_badges``), adds the seasons' revisions to the stored
definitions version so that a season's new badge reaches every process (a wrapper of
``guildkit_definitions_version``), and registers the ``guildkit.seasons.upkeep`` job: close the
seasons that ended, award their badges, refresh the running ones.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.seasons"]``.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.seasons import badges
from guildkit.seasons.models import Season, SeasonStanding

if TYPE_CHECKING:
    import sqlalchemy as sa

    from guildkit.definitions import BadgeDef
    from guildkit.extension import GuildKit

UPKEEP = "guildkit.seasons.upkeep"


def _upkeep(gk: GuildKit) -> dict[str, Any]:
    return gk.seasons.upkeep()  # type: ignore[no-any-return]


class SeasonsFeature(Feature):
    name = "seasons"
    models = (Season, SeasonStanding)
    services = {"seasons": "guildkit.seasons:Seasons"}
    commands = "guildkit.seasons.cli:COMMANDS"
    permissions = {"seasons.manage": "make, change and close seasons"}
    nav = NavLink(lazy_gettext("Seasons"), ".seasons", also=(".season_new",))

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        with gk.store.engine.connect() as conn:
            return badges.defined(conn)

    @hookimpl(wrapper=True)
    def guildkit_definitions_version(self, gk: GuildKit, engine: sa.Engine) -> Generator[None, Any, int | None]:
        # Both numbers only grow, so their sum changes whenever either does.
        other: int | None = yield
        mine = badges.read_version(engine)
        return other if mine is None else (other or 0) + mine

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(UPKEEP, _upkeep, "Close the seasons that ended (awarding their badges), refresh the running ones.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # A season closes within a minute of its end; reads refresh standings in between.
        return [PeriodicJob(UPKEEP, timedelta(minutes=1))]


plugin = SeasonsFeature()
