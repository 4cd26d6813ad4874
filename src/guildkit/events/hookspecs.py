"""The hooks of the events feature, the records they carry, and their signals (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class EventChange:
    """A community event was created, changed or cancelled."""

    event_id: int
    title: str
    change: str  # "created", "updated" or "cancelled"
    by: str | None


@dataclass(frozen=True)
class RsvpChange:
    """A member's answer to an event changed (``going``, ``maybe``, ``not_going``,
    ``waitlisted``), or they were checked in (``attended``)."""

    event_id: int
    user_id: str
    old_status: str | None
    new_status: str
    by: str | None


#: An event was created, updated or cancelled. Sender: ``GuildKit``; kwargs: ``change`` (EventChange).
event_changed = declare("event_changed")

#: An RSVP changed or a member was checked in. Sender: ``GuildKit``; kwargs: ``change`` (RsvpChange).
rsvp_changed = declare("rsvp_changed")


@hookspec
def guildkit_event_changed(gk: GuildKit, change: EventChange) -> None:
    """A community event was created, updated or cancelled.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the event, what happened to it and who did it.
    """


@hookspec
def guildkit_rsvp_changed(gk: GuildKit, change: RsvpChange) -> None:
    """A member's RSVP changed (including a move off the waitlist), or they were checked in.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the event, the member, the old and new status, and who made the change.
    """
