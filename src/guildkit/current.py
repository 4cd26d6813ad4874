"""``current_guildkit()``: the :class:`~guildkit.GuildKit` of the app in context.

A module of its own, so the CLI and the web layer can find the instance without importing the
extension (which imports them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from guildkit.errors import ConfigurationError

if TYPE_CHECKING:
    from guildkit.extension import GuildKit, GuildKitState


def current_guildkit() -> GuildKit:
    """The :class:`GuildKit` set up on the current app (in a request, a CLI command or an app context)."""
    try:
        state: GuildKitState = current_app.extensions["guildkit"]
    except KeyError:
        raise ConfigurationError("guildkit is not initialised on this app: call gk.init_app(app)") from None
    return state.gk
