"""The ``guildkit.guidelines`` plugin: the community guidelines: versions and acceptance.

It hands the feature to the core through guildkit's hooks; switch it off with
``GUILDKIT_PLUGINS_DENY = ["guildkit.guidelines"]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.guidelines.models import Guidelines, GuidelinesAcceptance
from guildkit.models import table_of
from guildkit.plugins import hookimpl
from guildkit.routes import Routes

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.Table]:
    return [table_of(model) for model in (Guidelines, GuidelinesAcceptance)]


@hookimpl
def guildkit_register_routes(gk: GuildKit) -> Iterable[Routes]:
    from guildkit.guidelines import api, pages

    return [api.api, pages.pages]
