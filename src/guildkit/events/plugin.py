"""The ``guildkit.events`` plugin: community events, RSVPs and the waitlist, check-in and attendance.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.events"]``.
"""

from __future__ import annotations

from guildkit.events.models import Attendance, Event, EventOrganizer, Rsvp
from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext


class EventsFeature(Feature):
    name = "events"
    models = (Event, EventOrganizer, Rsvp, Attendance)
    services = {"events": "guildkit.events:Events"}
    nav = NavLink(lazy_gettext("Events"), ".events")
    measures = "guildkit.events.measures:MEASURES"


plugin = EventsFeature()
