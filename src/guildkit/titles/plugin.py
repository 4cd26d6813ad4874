"""The ``guildkit.titles`` plugin: a member shows one badge they hold as a title after their name.

Besides the parts :class:`~guildkit.feature.Feature` hands over (the table, service
``gk.titles``, config, the API and the settings form's route, the form in the settings page's
``settings`` slot, a member's data rights), it answers ``guildkit_member_flair`` with the titles
of the members a page shows, in one statement.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.titles"]``: names show without titles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from guildkit.feature import Feature
from guildkit.markers import hookimpl
from guildkit.titles.models import MemberTitle
from guildkit.titles.service import shown

if TYPE_CHECKING:
    from guildkit.definitions import Flair
    from guildkit.extension import GuildKit


class TitlesFeature(Feature):
    name = "titles"
    models = (MemberTitle,)
    services = {"titles": "guildkit.titles:Titles"}
    includes = {"settings": "guildkit/titles/_settings.html"}

    @hookimpl
    def guildkit_member_flair(self, gk: GuildKit, user_ids: Sequence[str]) -> Mapping[str, Flair]:
        return shown(gk, user_ids)


plugin = TitlesFeature()
