"""The ``guildkit.moderation`` plugin: reports, moderation cases, sanctions, mediation, appeals and
serial-voting detection (``gk.moderation``, ``gk.abuse``). It builds on trust levels.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.moderation"]``. Sanctions and hiding have
teeth through ``gk.can``:

* A muted member has no privileges until the mute ends, except ``content.visible``: a mute stops
  a member from taking part, it does not hide what they already wrote.
* ``content.visible`` (:data:`guildkit.moderation.VISIBLE`) is denied while the member has an
  open case that trusted members' spam reports hid (see ``docs/moderation.md``). guildkit adds
  the privilege to ``GUILDKIT_PRIVILEGES`` (for everyone: trust level 0) unless the host defines it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildkit.errors import ConfigurationError
from guildkit.feature import Feature, NavLink
from guildkit.markers import hookimpl
from guildkit.moderation.config import check
from guildkit.moderation.hiding import VISIBLE
from guildkit.moderation.models import MODELS

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit


class ModerationFeature(Feature):
    name = "moderation"
    models = MODELS
    services = {"moderation": "guildkit.moderation:Moderation", "abuse": "guildkit.moderation.abuse:AbuseDetection"}
    commands = "guildkit.moderation.cli:COMMANDS"
    nav = NavLink("Moderation", ".moderation_queue", permission="members.manage")
    measures = "guildkit.moderation.measures:MEASURES"

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        if gk.pm.get_plugin("guildkit.trust") is None:
            raise ConfigurationError("guildkit.moderation needs guildkit.trust: switch both off, or neither")
        check(app.config)
        privileges = app.config["GUILDKIT_PRIVILEGES"]
        if VISIBLE not in privileges:
            # A new mapping: the host's own dict (maybe shared between apps) stays as they wrote it.
            app.config["GUILDKIT_PRIVILEGES"] = {**privileges, VISIBLE: {"trust_level": 0}}

    @hookimpl
    def guildkit_can(self, gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
        if privilege == VISIBLE:
            return False if granted and gk.moderation.member_hidden(user_id) else None
        if granted and gk.moderation.muted_until(user_id) is not None:
            return False
        return None


plugin = ModerationFeature()
