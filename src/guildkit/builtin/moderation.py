"""Sanctions and hiding with teeth, through ``gk.can``.

* A muted member has no privileges until the mute ends, except ``content.visible``: a mute stops
  a member from taking part, it does not hide what they already wrote.
* ``content.visible`` (:data:`guildkit.moderation.VISIBLE`) is denied while the member has an
  open case that trusted members' spam reports hid (see ``docs/moderation.md``). guildkit adds
  the privilege to ``GUILDKIT_PRIVILEGES`` (for everyone: trust level 0) unless the host defines it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..moderation.hiding import VISIBLE
from ..plugins import hookimpl

if TYPE_CHECKING:
    from flask import Flask

    from ..extension import GuildKit


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    privileges = app.config["GUILDKIT_PRIVILEGES"]
    if VISIBLE not in privileges:
        # A new mapping: the host's own dict (maybe shared between apps) stays as they wrote it.
        app.config["GUILDKIT_PRIVILEGES"] = {**privileges, VISIBLE: {"trust_level": 0}}


@hookimpl
def guildkit_can(gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
    if privilege == VISIBLE:
        return False if granted and gk.moderation.member_hidden(user_id) else None
    if granted and gk.moderation.muted_until(user_id) is not None:
        return False
    return None
