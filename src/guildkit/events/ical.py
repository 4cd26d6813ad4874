"""An event as an iCalendar file (RFC 5545), written by hand: one ``VEVENT`` in a ``VCALENDAR``.

The rules that matter to calendar apps: lines end in CRLF; a content line longer than 75
octets is folded (CRLF and one space; never inside a UTF-8 character); TEXT values escape
``\\``, ``;``, ``,`` and newlines; times are UTC (``…Z``). The ``UID`` stays the same for an event,
so importing it again updates the entry instead of adding a second one, and ``SEQUENCE`` grows
with each change (the seconds since the event was created that it was last updated).
"""

from __future__ import annotations

from datetime import UTC, datetime

from guildkit.events.views import EventView

LINE_OCTETS = 75
PRODID = "-//guildkit//community events//EN"


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


def render(event: EventView, *, now: datetime, host: str | None = None, page_url: str | None = None) -> str:
    """The ``.ics`` text for ``event``. ``page_url`` (the event's page) is its ``URL`` when the
    event has no link of its own."""
    place = event.location or ("Online" if event.online else "")
    description = event.description
    if event.url and event.online:
        description = f"{description}\n\nJoin: {event.url}".strip()
    if event.cancelled_at is not None and event.cancel_reason:
        description = f"Cancelled: {event.cancel_reason}\n\n{description}".strip()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{event.id}@{uid_host(host)}",
        f"DTSTAMP:{utc(now)}",
        f"CREATED:{utc(event.created_at)}",
        f"LAST-MODIFIED:{utc(event.updated_at)}",
        f"SEQUENCE:{max(0, int((event.updated_at - event.created_at).total_seconds()))}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
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
