"""Sanctions with teeth: a muted member has no privileges (``gk.can``) until the mute ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plugins import hookimpl

if TYPE_CHECKING:
    from ..extension import GuildKit


@hookimpl
def guildkit_can(gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
    if granted and gk.moderation.muted_until(user_id) is not None:
        return False
    return None
