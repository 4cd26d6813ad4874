"""Checking an event's fields: each problem is a :class:`~guildkit.errors.ValidationError` naming
the field, so the API answers 422 with ``errors`` and the pages re-render the form at that field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guildkit.errors import ValidationError
from guildkit.events.models import EVENT_VISIBILITIES
from guildkit.text import multi_line, problem, single_line

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
LOCATION_MAX = 300
URL_MAX = 2000
REASON_MAX = 2000
CAPACITY_MAX = 1_000_000
#: Every field an event has; ``update`` accepts any of them.
FIELDS = ("title", "description", "starts_at", "ends_at", "timezone", "online", "location", "url", "capacity",
          "visibility")  # fmt: skip


@dataclass(frozen=True)
class EventFields:
    """An event's fields, checked and normalized (times in UTC, text stripped)."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    online: bool
    location: str
    url: str | None
    capacity: int | None
    visibility: str

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


def check_event(values: Mapping[str, Any]) -> EventFields:
    """Check a whole set of fields (a new event, or an event with changes applied)."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValidationError(f"unknown event fields: {', '.join(unknown)}", field=unknown[0])
    title = single_line(values.get("title"), "title", TITLE_MAX)
    description = multi_line(values.get("description", "") or "", "description", DESCRIPTION_MAX)
    starts_at = _moment(values.get("starts_at"), "starts_at")
    ends_at = _moment(values.get("ends_at"), "ends_at")
    if ends_at <= starts_at:
        raise ValidationError("the event must end after it starts", field="ends_at")
    timezone = check_timezone(values.get("timezone"))
    online = values.get("online", False)
    if not isinstance(online, bool):
        raise ValidationError("online must be true or false", field="online")
    location = single_line(values.get("location", "") or "", "location", LOCATION_MAX, empty=True)
    if not online and not location:
        raise ValidationError("an in-person event needs a location", field="location")
    url = _url(values.get("url"))
    return EventFields(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        online=online,
        location=location,
        url=url,
        capacity=_capacity(values.get("capacity")),
        visibility=_visibility(values.get("visibility", "public")),
    )


def zone(name: str) -> ZoneInfo:
    """The zone for a stored event's ``timezone`` (UTC if the name has since become unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(f"{field} must be a date and time", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"{field} must carry its time zone offset", field=field)
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(f"{field} is out of range", field=field) from None
    if not 1900 <= moment.year <= 9998:
        raise ValidationError(f"{field} must be between the years 1900 and 9998", field=field)
    return moment.replace(microsecond=0)


def check_timezone(value: object) -> str:
    """A known IANA time zone name, or a ValidationError on ``timezone``."""
    if not isinstance(value, str) or not value or len(value) > 64 or problem(value, one_line=True):
        raise ValidationError("timezone must be an IANA time zone name such as Europe/Paris", field="timezone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f"unknown time zone {value!r}", field="timezone") from None
    return value


def _url(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError("url must be text", field="url")
    url = value.strip()
    if len(url) > URL_MAX or problem(url) or any(c.isspace() for c in url):
        raise ValidationError(f"url must be a web address of at most {URL_MAX} characters", field="url")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValidationError("url is not a valid web address", field="url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError("url must start with http:// or https://", field="url")
    return url


def _capacity(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= CAPACITY_MAX:
        raise ValidationError(f"capacity must be a whole number from 1 to {CAPACITY_MAX}, or none", field="capacity")
    return value


def _visibility(value: object) -> str:
    if value not in EVENT_VISIBILITIES:
        raise ValidationError(f"visibility must be one of {', '.join(EVENT_VISIBILITIES)}", field="visibility")
    assert isinstance(value, str)
    return value
