"""The hook of the streaks feature, the record it carries, and its signal (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class FreezeUsed:
    """Freezes kept a member's streak going through days they missed."""

    #: The host user id of the member.
    user_id: str
    member_id: int
    #: The activity type the streak counts, and the member's part in it (``actor``/``target``).
    activity_type: str
    role: str
    #: The days the freezes covered (one freeze each), in the member's own time zone.
    days: tuple[date, ...]
    #: Freezes the member holds after these.
    left: int


#: Freezes were used. Sender: ``GuildKit``; kwargs: ``used`` (FreezeUsed).
streak_freeze_used = declare("streak_freeze_used")


@hookspec
def guildkit_streak_freeze_used(gk: GuildKit, used: FreezeUsed) -> None:
    """Freezes kept a member's streak going through missed days.

    Called after the recording transaction that spent them commits (the member was told in the
    app in that transaction).

    Implement it with ``@hookimpl(optionalhook=True)``: the host may switch streaks off.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param used: whose streak, which days the freezes covered, and how many are left.
    """
