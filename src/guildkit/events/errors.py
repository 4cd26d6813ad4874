"""The events feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import NotFound


class UnknownEvent(NotFound):
    code = "unknown_event"

    def __init__(self, event_id: int) -> None:
        super().__init__(f"no event with id {event_id!r}", event_id=event_id)
        self.event_id = event_id
