"""The ``guildkit.trust`` plugin: trust levels 0-4 and the privileges they (or points, roles and
badges) unlock: ``gk.trust``, ``gk.can`` and ``gk.privileges``.

Other features build on it (moderation weighs reports by trust level). Switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.trust", "guildkit.moderation"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildkit.feature import Feature
from guildkit.markers import hookimpl
from guildkit.trust.config import apply_structured_defaults, check
from guildkit.trust.models import TrustLevel, TrustSweep

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit


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

    @hookimpl(tryfirst=True)
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        # First: features set up after it (moderation) add privileges to the defaults filled in here.
        apply_structured_defaults(app.config)
        check(app.config)


plugin = TrustFeature()
