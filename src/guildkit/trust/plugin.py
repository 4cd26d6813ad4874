"""The ``guildkit.trust`` plugin: trust levels 0-4 and privileges.

It hands the feature to the core through guildkit's hooks; switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.trust"]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.plugins import hookimpl
from guildkit.routes import Routes
from guildkit.trust.models import TrustLevel, TrustSweep

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (TrustLevel, TrustSweep)]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.trust import api

    return [api.api]
