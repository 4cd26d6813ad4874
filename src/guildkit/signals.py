"""blinker signals: announcements of what happened, sent after the transaction commits.

Each signal is sent with the :class:`~guildkit.GuildKit` instance as sender and the same keyword
arguments as the matching ``guildkit_*`` hook (see :mod:`guildkit.hookspecs`). Signals only
announce; to change an outcome, implement a deciding hook instead.

The core's signals are below. Features declare theirs with :func:`declare` in their own
``hookspecs`` module (``guildkit.mentorship.hookspecs.mentorship_changed``); each is also
reachable here by name (``guildkit.signals.mentorship_changed``) once its feature is imported.
"""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal, Namespace

_signals = Namespace()
_declared: dict[str, NamedSignal] = {}


def declare(name: str) -> NamedSignal:
    """The signal for the announcement ``name`` (the hook ``guildkit_<name>``), made once."""
    signal = _declared.get(name)
    if signal is None:
        signal = _declared[name] = _signals.signal(name.replace("_", "-"))
    return signal


def signal_for(name: str) -> NamedSignal:
    """The signal sent for the announcement ``name``."""
    return declare(name)


def __getattr__(name: str) -> Any:
    try:
        return _declared[name]
    except KeyError:
        raise AttributeError(f"module 'guildkit.signals' has no signal {name!r}") from None


#: An activity was recorded. Sender: ``GuildKit``; kwargs: ``activity``, ``result``.
activity_recorded = declare("activity_recorded")

#: An activity was retracted. Sender: ``GuildKit``; kwargs: ``activity``, ``result``.
activity_retracted = declare("activity_retracted")

#: A host user became a member. Sender: ``GuildKit``; kwargs: ``member``.
member_joined = declare("member_joined")

#: A balance changed. Sender: ``GuildKit``; kwargs: ``change`` (PointsChange), ``activity_key``.
points_changed = declare("points_changed")

#: A badge level was earned. Sender: ``GuildKit``; kwargs: ``change``, ``activity_key``.
badge_awarded = declare("badge_awarded")

#: A badge level was lost. Sender: ``GuildKit``; kwargs: ``change``, ``activity_key``.
badge_revoked = declare("badge_revoked")

#: A role was granted. Sender: ``GuildKit``; kwargs: ``change`` (RoleChange), ``activity_key``.
role_granted = declare("role_granted")

#: A role was revoked. Sender: ``GuildKit``; kwargs: ``change``, ``activity_key``.
role_revoked = declare("role_revoked")

#: A level changed. Sender: ``GuildKit``; kwargs: ``change`` (LevelChange), ``activity_key``.
level_changed = declare("level_changed")
