"""What members read about event activities, and events as subjects (``event:<id>``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, Subject
from guildkit.events.models import Event
from guildkit.i18n import lazy_gettext as _
from guildkit.web.pages import page_url

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

# Lazy: said in each reader's language when shown (the placeholders stay as they are).
ACTIVITY_TYPES = [
    ActivityTypeDef(
        "event.attended", _("Event attended"),
        actor=_("You attended {subject}"), public=_("{actor} attended {subject}"),
        goal=_("Attend {n} events"), goal_one=_("Attend an event"), subject=_("an event"),
    ),
    ActivityTypeDef(
        "event.organized", _("Event organized"),
        actor=_("You organized {subject}"), public=_("{actor} organized {subject}"),
        goal=_("Organize {n} events that people attend"), goal_one=_("Organize an event that people attend"),
        subject=_("an event"),
    ),
]  # fmt: skip


def subjects(gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
    """``event:<id>`` → the event's title, linked to its page."""
    ids = [int(key[6:]) for key in keys if key.startswith("event:") and key[6:].isdigit()]
    if not ids:
        return None
    rows = gk.session.execute(sa.select(Event.id, Event.title).where(Event.id.in_(ids)))
    return {f"event:{event_id}": Subject(title, page_url("event", event_id=event_id)) for event_id, title in rows}
