"""The ``guildkit.trust`` plugin: trust levels 0-4 and the privileges they (or points, roles and
badges) unlock: ``gk.trust``, ``gk.can`` and ``gk.privileges``.

Other features build on it (moderation weighs reports by trust level). Switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.trust", "guildkit.moderation"]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from guildkit.errors import ConfigurationError
from guildkit.feature import Feature
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.trust.config import apply_structured_defaults, check
from guildkit.trust.models import TrustLevel, TrustSweep

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit
    from guildkit.registry import Registry


#: The periodic sweep (``flask guildkit trust sweep``), as a job.
SWEEP = "guildkit.trust.sweep"


class TrustFeature(Feature):
    name = "trust"
    models = (TrustLevel, TrustSweep)
    services = {
        "trust": "guildkit.trust:Trust",
        "can": "guildkit.trust.privileges:can",
        "privileges": "guildkit.trust.privileges:statuses",
    }
    commands = "guildkit.trust.cli:COMMANDS"
    includes = {"member": "guildkit/trust/_member.html"}

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(SWEEP, lambda gk: gk.trust.sweep(), "Promote and demote members by their criteria.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # Daily, as `flask guildkit trust sweep` always asked of cron; a second run finds nothing new.
        return [PeriodicJob(SWEEP, timedelta(days=1))]

    @hookimpl
    def guildkit_check_definitions(self, gk: GuildKit, registry: Registry) -> None:
        # One name space for levels: "trust level 3: Regular" and "Experience level 2: Regular"
        # would tell a member two different things with one word.
        points = {
            name.casefold(): f"level {number} of {point_type}"
            for point_type, scale in registry.levels.items()
            for number, name in enumerate(scale.names, start=1)
        }
        for level in gk.trust.levels.values():
            clash = points.get(level.name.casefold())
            if clash is not None:
                raise ConfigurationError(
                    f"trust level {level.level} and {clash} are both named {level.name!r}: give each its own "
                    "name (GUILDKIT_TRUST_LEVELS, or the levels' names)"
                )

    @hookimpl
    def guildkit_register_retained_payload(self, gk: GuildKit) -> dict[str, set[str]]:
        # A payload_sum criterion adds a field up over every live activity of its type, however
        # old: compaction must keep that field, or members would lose progress toward a level.
        from guildkit.trust import PAYLOAD_SUM

        keep: dict[str, set[str]] = {}
        for level in gk.trust.levels.values():
            for criterion in level.criteria:
                if criterion.measure.startswith(PAYLOAD_SUM):
                    keep.setdefault(criterion.type, set()).add(criterion.measure.removeprefix(PAYLOAD_SUM))
        return keep

    @hookimpl(tryfirst=True)
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        # First: features set up after it (moderation) add privileges to the defaults filled in here.
        apply_structured_defaults(app.config)
        check(app.config)


plugin = TrustFeature()
