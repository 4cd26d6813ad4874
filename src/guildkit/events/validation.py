"""Checking an event's fields: every bad field at once, in one :class:`~guildkit.errors.ValidationError`
whose ``errors`` names each, so the API answers 422 with all of them and the pages re-render the
form with a message at each. The API's schemas ask :func:`problems` too, so that a body with
both a malformed field and a field these rules refuse hears about both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guildkit.errors import FieldErrors, ValidationError
from guildkit.events.models import EVENT_VISIBILITIES
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
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
    """Check a whole set of fields (a new event, or an event with changes applied). Every bad
    field is reported at once: one :class:`ValidationError` whose ``errors`` names each."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValidationError(f"unknown event fields: {', '.join(unknown)}", field=unknown[0])
    found = FieldErrors()
    checked = found.check_all(_field_checks(values))
    for field, message in _across(checked):
        found.add(field, message)
    found.raise_if_any()
    return EventFields(**checked)


def problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with the fields present in ``values`` (a request body, perhaps partial), by
    field; the rules between two fields apply when both are present and fine."""
    found = FieldErrors()
    checks = {name: check for name, check in _field_checks(values).items() if name in values}
    for field, message in _across(found.check_all(checks)):
        found.add(field, message)
    return found.errors


def _field_checks(values: Mapping[str, Any]) -> dict[str, Callable[[], Any]]:
    return {
        "title": lambda: single_line(values.get("title"), "title", TITLE_MAX),
        "description": lambda: multi_line(values.get("description", "") or "", "description", DESCRIPTION_MAX),
        "starts_at": lambda: _moment(values.get("starts_at"), "starts_at"),
        "ends_at": lambda: _moment(values.get("ends_at"), "ends_at"),
        "timezone": lambda: check_timezone(values.get("timezone")),
        "online": lambda: _online(values.get("online", False)),
        "location": lambda: single_line(values.get("location", "") or "", "location", LOCATION_MAX, empty=True),
        "url": lambda: _url(values.get("url")),
        "capacity": lambda: _capacity(values.get("capacity")),
        "visibility": lambda: _visibility(values.get("visibility", "public")),
    }


def _across(checked: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The rules between fields, over those that passed their own checks."""
    found = []
    if "starts_at" in checked and "ends_at" in checked and checked["ends_at"] <= checked["starts_at"]:
        found.append(("ends_at", _("the event must end after it starts")))
    if checked.get("online") is False and checked.get("location") == "":
        found.append(("location", _("an in-person event needs a location")))
    return found


def zone(name: str) -> ZoneInfo:
    """The zone for a stored event's ``timezone`` (UTC if the name has since become unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(_("%(field)s must be a date and time", field=field), field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(_("%(field)s must carry its time zone offset", field=field), field=field)
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(_("%(field)s is out of range", field=field), field=field) from None
    if not 1900 <= moment.year <= 9998:
        raise ValidationError(_("%(field)s must be between the years 1900 and 9998", field=field), field=field)
    return moment.replace(microsecond=0)


def _online(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("%(field)s must be true or false", field="online"), field="online")
    return value


def check_timezone(value: object) -> str:
    """A known IANA time zone name, or a ValidationError on ``timezone``."""
    if not isinstance(value, str) or not value or len(value) > 64 or problem(value, one_line=True):
        raise ValidationError(
            _("%(field)s must be an IANA time zone name such as Europe/Paris", field="timezone"), field="timezone"
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(
            _("%(field)s must be a known IANA time zone name such as Europe/Paris", field="timezone"), field="timezone"
        ) from None
    return value


def _url(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(_("%(field)s must be text", field="url"), field="url")
    url = value.strip()
    if len(url) > URL_MAX or problem(url) or any(c.isspace() for c in url):
        raise ValidationError(
            _(
                "%(field)s must be a web address of at most %(most)s characters",
                field="url",
                most=format_number(URL_MAX),
            ),
            field="url",
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValidationError(_("%(field)s is not a valid web address", field="url"), field="url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(_("%(field)s must start with http:// or https://", field="url"), field="url")
    return url


def _capacity(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= CAPACITY_MAX:
        raise ValidationError(
            _(
                "%(field)s must be a whole number from 1 to %(most)s, or none",
                field="capacity",
                most=format_number(CAPACITY_MAX),
            ),
            field="capacity",
        )
    return value


def _visibility(value: object) -> str:
    if value not in EVENT_VISIBILITIES:
        raise ValidationError(
            _("%(field)s must be one of %(choices)s", field="visibility", choices=", ".join(EVENT_VISIBILITIES)),
            field="visibility",
        )
    assert isinstance(value, str)
    return value
