"""Community events: RSVPs with a waitlist, check-in, attendance, and an iCalendar export.

``gk.events`` is an :class:`Events`; see ``docs/events.md``. The modules, one concept each:
:mod:`.service` (the public methods and who may call them), :mod:`.rsvp` (answers and the
waitlist), :mod:`.checkin` (codes and attendance), :mod:`.reading` (rows to views, visibility),
:mod:`.validation` (fields), :mod:`.ical` (the ``.ics`` file), :mod:`.views` (what is returned).
"""

from guildkit.events.service import Events
from guildkit.events.views import AttendanceView, Attendees, EventPage, EventView, MemberEvents, RsvpView

__all__ = ["AttendanceView", "Attendees", "EventPage", "EventView", "Events", "MemberEvents", "RsvpView"]
