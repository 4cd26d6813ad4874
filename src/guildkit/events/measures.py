"""What events add to the analytics "programmes" KPI (``guildkit_register_analytics_measures``): events held
in a period (starting in it, not cancelled), their attendances and their "going" RSVPs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.events.models import Attendance, Event, Rsvp
from guildkit.models import table_of
from guildkit.queries import count_of, within

EVENTS = table_of(Event)
ATTENDANCES = table_of(Attendance)
RSVPS = table_of(Rsvp)
HELD = EVENTS.c.cancelled_at.is_(None)


def _held_in(start: datetime, end: datetime) -> sa.Select[Any]:
    return sa.select(EVENTS.c.id).where(HELD, within(EVENTS.c.starts_at, start, end))


MEASURES: tuple[tuple[str, str, Callable[[datetime, datetime], sa.ScalarSelect[Any]]], ...] = (
    (
        "events_held",
        "events held (not cancelled)",
        lambda s, e: count_of(EVENTS, HELD, within(EVENTS.c.starts_at, s, e)),
    ),
    (
        "event_attendances",
        "attendances at those events",
        lambda s, e: count_of(ATTENDANCES, ATTENDANCES.c.event_id.in_(_held_in(s, e))),
    ),
    (
        "event_rsvps_going",
        "“going” RSVPs for those events",
        lambda s, e: count_of(RSVPS, RSVPS.c.status == "going", RSVPS.c.event_id.in_(_held_in(s, e))),
    ),
)
