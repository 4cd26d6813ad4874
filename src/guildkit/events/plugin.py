"""The ``guildkit.events`` plugin: community events, RSVPs and the waitlist, check-in and attendance.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.events"]``.
"""

from __future__ import annotations

from pathlib import Path

from guildkit.events import config, hookspecs
from guildkit.events.models import Attendance, Event, EventOrganizer, Rsvp
from guildkit.feature import Feature, NavLink


class EventsFeature(Feature):
    name = "events"
    folder = Path(__file__).parent
    hookspecs = hookspecs
    config = config
    models = (Event, EventOrganizer, Rsvp, Attendance)
    routes = ("guildkit.events.api:api", "guildkit.events.pages:pages")
    services = {"events": "guildkit.events:Events"}
    nav = NavLink("Events", ".events")
    measures = "guildkit.events.measures:MEASURES"


plugin = EventsFeature()
