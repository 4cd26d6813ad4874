"""The hooks of the trust feature, the records they carry, and their signals (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from guildkit.contracts import a_bool, returns
from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class TrustLevelChange:
    """A member's trust level went up or down (see ``docs/trust.md``)."""

    user_id: str
    old_level: int
    new_level: int
    #: The new level's name (``GUILDKIT_TRUST_LEVELS``), such as ``"Member"``.
    name: str
    #: The host user id of the staff member who set it (``None``: evaluation).
    by: str | None
    reason: str = ""


#: A trust level changed. Sender: ``GuildKit``; kwargs: ``change`` (TrustLevelChange).
trust_level_changed = declare("trust_level_changed")


@hookspec(firstresult=True)
@returns(a_bool)
def guildkit_can(gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
    """Decide whether a member has a privilege, after guildkit worked out its own answer.

    Called by :meth:`GuildKit.can` (outside any write transaction) for active members, with
    ``granted`` the answer from ``GUILDKIT_PRIVILEGES`` (or ``True`` for staff with ``admin``).
    Use it to deny a privilege to a muted member, or to grant one from your own data. Never called
    for suspended, banned or deleted members: they have no privileges. Be fast and don't write.
    A plugin that raises (or returns something other than a bool) is recorded and the built-in
    answer stands. Stops at the first non-``None`` result.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param user_id: the host user id asked about.
    :param privilege: the privilege's name, a key of ``GUILDKIT_PRIVILEGES``.
    :param granted: guildkit's own answer.
    :return: ``True`` to grant, ``False`` to deny, or ``None`` to keep ``granted``.
    """


@hookspec
def guildkit_trust_level_changed(gk: GuildKit, change: TrustLevelChange) -> None:
    """A member's trust level went up or down (by evaluation, or set by staff).

    The change is also an activity of type ``guildkit.trust_level`` and a notification to the
    member. Levels and their criteria are described in ``docs/trust.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the member, the old and new level, the new level's name, who set it and why.
    """
