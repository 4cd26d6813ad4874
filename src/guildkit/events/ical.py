"""An event as an iCalendar file (RFC 5545), written by hand: one ``VEVENT`` in a ``VCALENDAR``.

The rules that matter to calendar apps: lines end in CRLF; a content line longer than 75
octets is folded (CRLF and one space; never inside a UTF-8 character); TEXT values escape
``\\``, ``;``, ``,`` and newlines. The ``UID`` stays the same for an event, so importing it
again updates the entry instead of adding a second one, and ``SEQUENCE`` is the event's revision
(``Event.sequence``: one more with each change the file shows, :data:`SHOWN`, and with the
cancellation), so calendars take the newer file over the one they have.

``DTSTART`` and ``DTEND`` are local times in the event's IANA zone (``TZID=Europe/Paris``), and a
``VTIMEZONE`` says what that zone's offset is at those times: the observance in effect at the
start and, when the zone changed its offset before the end, the one in effect at the end, each
from the moment it began (found a day at a time, then to the second, in the zone's data). Two
cases fall back to UTC (``…Z``): a zone this machine no longer knows, and the second of the
two times a local time happens when the clocks go back (a ``TZID`` time means the first).
``DTSTAMP``, ``CREATED`` and ``LAST-MODIFIED`` are always UTC, as RFC 5545 requires. The words
the file adds to the event's own (a place for an online event, the reason it was cancelled) are
in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guildkit.events.views import EventView
from guildkit.i18n import gettext as _

LINE_OCTETS = 75
PRODID = "-//guildkit//community events//EN"
#: The event fields the file shows: changing any of them is a new revision (``SEQUENCE``).
SHOWN = ("title", "description", "starts_at", "ends_at", "timezone", "online", "location", "url")

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
#: How far before a time to look for the start of the zone's observance (a year covers every
#: daylight saving rule; a zone without changes is described from this far back).
LOOKBACK = timedelta(days=366)


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped (RFC 5545, 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, continuation lines led by a space."""
    pieces: list[str] = []
    current = ""
    room = LINE_OCTETS
    for char in line:
        size = len(char.encode())
        if len(current.encode()) + size > room:
            pieces.append(current)
            current = ""
            room = LINE_OCTETS - 1  # the leading space counts
        current += char
    pieces.append(current)
    return "\r\n ".join(pieces)


def uid_host(host: str | None) -> str:
    """The right-hand side of the UID: the site's host name, or ``guildkit``."""
    cleaned = "".join(c for c in (host or "").split(":")[0].lower() if c.isascii() and (c.isalnum() or c in ".-"))
    return cleaned or "guildkit"


def local(moment: datetime) -> str:
    """A local ("floating") date-time, as ``DTSTART;TZID=…`` and observances write it."""
    return moment.strftime("%Y%m%dT%H%M%S")


def param_value(value: str) -> str:
    """A parameter value, quoted when it holds ``:``, ``;`` or ``,`` (RFC 5545, 3.2)."""
    cleaned = "".join(c for c in value if c != '"' and c.isprintable())
    return f'"{cleaned}"' if any(c in cleaned for c in ":;,") else cleaned


def utc_offset(delta: timedelta) -> str:
    """A UTC-OFFSET value: ``+0100``, ``-0430``, ``+053328`` (seconds only when there are some)."""
    seconds = int(delta.total_seconds())
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{'-' if seconds < 0 else '+'}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def known_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass(frozen=True)
class Observance:
    """One ``STANDARD`` or ``DAYLIGHT`` part of a ``VTIMEZONE``: from ``onset`` (UTC) on, the
    zone is ``offset`` from UTC; it was ``offset_from`` just before."""

    onset: datetime
    offset_from: timedelta
    offset: timedelta
    daylight: bool
    name: str

    def lines(self) -> list[str]:
        kind = "DAYLIGHT" if self.daylight else "STANDARD"
        lines = [
            f"BEGIN:{kind}",
            # The onset as a local time, on the clock that was in effect until then.
            f"DTSTART:{local((self.onset + self.offset_from).replace(tzinfo=None))}",
            f"TZOFFSETFROM:{utc_offset(self.offset_from)}",
            f"TZOFFSETTO:{utc_offset(self.offset)}",
        ]
        if self.name:
            lines.append(f"TZNAME:{escape_text(self.name)}")
        return [*lines, f"END:{kind}"]


def _state(zone: ZoneInfo, moment: datetime) -> tuple[timedelta, timedelta, str]:
    """The zone at ``moment``: its offset from UTC, its daylight saving part and its abbreviation."""
    there = moment.astimezone(zone)
    return there.utcoffset() or timedelta(0), there.dst() or timedelta(0), there.tzname() or ""


def observance(zone: ZoneInfo, moment: datetime, since: datetime) -> Observance:
    """The zone's observance at ``moment``: from its latest change after ``since``, or from
    ``since`` itself when the zone did not change in between."""
    now = _state(zone, moment)
    offset, dst, name = now
    later = moment
    while later > since:
        earlier = max(since, later - DAY)
        before = _state(zone, earlier)
        if before != now:
            # The change is in (earlier, later]: halve the gap down to the second (tz data
            # changes on whole seconds), then ``later`` is the first moment of the observance.
            while later - earlier > SECOND:
                middle = earlier + timedelta(seconds=(later - earlier).total_seconds() // 2)
                if _state(zone, middle) == now:
                    later = middle
                else:
                    earlier, before = middle, _state(zone, middle)
            return Observance(later, before[0], offset, bool(dst), name)
        later = earlier
    return Observance(since, offset, offset, bool(dst), name)


def vtimezone(name: str, zone: ZoneInfo, starts_at: datetime, ends_at: datetime) -> list[str]:
    """The ``VTIMEZONE`` for an event from ``starts_at`` to ``ends_at`` (UTC)."""
    first = observance(zone, starts_at, starts_at - LOOKBACK)
    parts = [first]
    if _state(zone, ends_at) != _state(zone, starts_at):
        # Begins after the start (the zone was different then), so the start keeps ``first``.
        parts.append(observance(zone, ends_at, max(starts_at, ends_at - LOOKBACK)))
    return [
        "BEGIN:VTIMEZONE",
        f"TZID:{escape_text(name)}",
        *(line for part in parts for line in part.lines()),
        "END:VTIMEZONE",
    ]


def date_time(prop: str, moment: datetime, zone_name: str, zone: ZoneInfo | None) -> str:
    """``DTSTART;TZID=<zone>:<local time>``, or in UTC when the zone cannot say it (see the module)."""
    if zone is None:
        return f"{prop}:{utc(moment)}"
    there = moment.astimezone(zone)
    if there.fold and there.replace(fold=0).utcoffset() != there.utcoffset():
        return f"{prop}:{utc(moment)}"
    return f"{prop};TZID={param_value(zone_name)}:{local(there)}"


def render(event: EventView, *, now: datetime, host: str | None = None, page_url: str | None = None) -> str:
    """The ``.ics`` text for ``event``. ``page_url`` (the event's page) is its ``URL`` when the
    event has no link of its own."""
    place = event.location or (_("Online") if event.online else "")
    description = event.description
    if event.url and event.online:
        join = _("Join: %(url)s", url=event.url)
        description = f"{description}\n\n{join}".strip()
    if event.cancelled_at is not None and event.cancel_reason:
        why = _("Cancelled: %(reason)s", reason=event.cancel_reason)
        description = f"{why}\n\n{description}".strip()
    zone = known_zone(event.timezone)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if zone is not None:
        lines += vtimezone(event.timezone, zone, event.starts_at, event.ends_at)
    lines += [
        "BEGIN:VEVENT",
        f"UID:event-{event.id}@{uid_host(host)}",
        f"DTSTAMP:{utc(now)}",
        f"CREATED:{utc(event.created_at)}",
        f"LAST-MODIFIED:{utc(event.updated_at)}",
        f"SEQUENCE:{event.sequence}",
        date_time("DTSTART", event.starts_at, event.timezone, zone),
        date_time("DTEND", event.ends_at, event.timezone, zone),
        f"SUMMARY:{escape_text(event.title)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if place:
        lines.append(f"LOCATION:{escape_text(place)}")
    link = event.url or page_url
    if link:
        lines.append(f"URL:{link}")
    lines += [
        f"STATUS:{'CANCELLED' if event.cancelled_at is not None else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
