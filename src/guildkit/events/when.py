"""An event's moments as people read them: in the event's own time zone, written the way the
reader's locale writes them (Babel).

A meetup in Tokyo starts at 7 pm in Tokyo, whoever reads about it and wherever they are, so
event times are never moved to the reader's zone; the pages name the event's zone next to them.
The event pages use these as the ``gk_event_time``, ``gk_event_clock`` and ``gk_event_day``
template filters; the check-in messages use them too.
"""

from __future__ import annotations

from datetime import datetime

from babel import dates

from guildkit import i18n
from guildkit.events.validation import zone


def event_time(value: datetime, timezone: str) -> str:
    """A day and time in the event's zone, e.g. ``Tue, Jan 6, 2026, 1:00 PM``."""
    locale = i18n.current_locale()
    return dates.format_datetime(value, i18n.weekday_pattern(locale), tzinfo=zone(timezone), locale=locale)


def event_clock(value: datetime, timezone: str) -> str:
    """The time of day in the event's zone, e.g. ``1:00 PM``."""
    locale = i18n.current_locale()
    return dates.format_datetime(value, locale.time_formats["short"].pattern, tzinfo=zone(timezone), locale=locale)


def event_day(value: datetime, timezone: str) -> str:
    """The day in the event's zone, e.g. ``Tue, Jan 6, 2026``."""
    locale = i18n.current_locale()
    return dates.format_datetime(value, i18n.weekday_pattern(locale, clock=False), tzinfo=zone(timezone), locale=locale)
