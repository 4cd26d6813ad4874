"""The hook of the kudos feature, the record it carries, and its signal (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class KudosGiven:
    """A member gave another kudos (stored, its activity recorded, its budget spent)."""

    kudos_id: int
    #: The host user ids of the giver and the receiver.
    giver: str
    receiver: str
    message: str
    given_at: datetime
    #: The first day of the budget period it was given in (the community's time zone).
    period: date
    #: The key of its ``kudos.given`` activity (what the rules rewarded).
    activity_key: str


#: Kudos were given. Sender: ``GuildKit``; kwargs: ``kudos`` (KudosGiven).
kudos_given = declare("kudos_given")


@hookspec
def guildkit_kudos_given(gk: GuildKit, kudos: KudosGiven) -> None:
    """A member gave another kudos; called after the transaction that stored it commits.

    Not called again for a give repeated with the same key (it changed nothing). What the rules
    gave the receiver for it is announced as usual (``guildkit_points_changed`` …).
    Implement it with ``@hookimpl(optionalhook=True)``: the host may switch kudos off.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param kudos: who gave whom kudos, when, with which message, and the activity recorded.
    """
