"""What members read about event activities, and events as subjects (``event:<id>``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.events.models import Event
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

ACTIVITY_TYPES = [
    ActivityTypeDef(
        "event.attended", "Event attended",
        actor="You attended {subject}", public="{actor} attended {subject}",
        goal="Attend {n} events", goal_one="Attend an event", subject="an event",
    ),
    ActivityTypeDef(
        "event.organized", "Event organized",
        actor="You organized {subject}", public="{actor} organized {subject}",
        goal="Organize {n} events that people attend", goal_one="Organize an event that people attend",
        subject="an event",
    ),
]  # fmt: skip


def subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """``event:<id>`` → the event's title, linked to its page."""
    ids = [int(key[6:]) for key in keys if key.startswith("event:") and key[6:].isdigit()]
    if not ids:
        return None
    rows = gk.session.execute(sa.select(Event.id, Event.title).where(Event.id.in_(ids)))
    return {f"event:{event_id}": Subject(title, page_url("event", event_id=event_id)) for event_id, title in rows}
