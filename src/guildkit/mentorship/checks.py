"""Input checks for mentorship: each raises :class:`~guildkit.errors.ValidationError` naming the field.

They run before any transaction opens, so invalid input never half-writes anything.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from guildkit.errors import ValidationError
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
from guildkit.text import check_text, is_row_id

MAX_TOPICS = 20
MAX_TOPIC_LENGTH = 50
MAX_LANGUAGES = 10
MAX_TEXT = 2000
MAX_PITCH = 1000
MAX_AVAILABILITY = 500
MAX_NOTES = 5000
#: A language tag, kept short: ``en``, ``pt-BR``, ``zh-Hant``.
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
#: Mentorship ids fit a 32-bit integer column.


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def text(value: object, field: str, *, max_length: int = MAX_TEXT, required: bool = False) -> str:
    return check_text(value, field, max_length=max_length, empty=not required).strip()


def topics(value: object, field: str = "topics", *, required: bool = False) -> tuple[str, ...]:
    """Distinct topics (case-insensitive; the first spelling is kept), trimmed."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(_("%(field)s must be a list of strings", field=field), field=field)
    seen: dict[str, str] = {}
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > MAX_TOPIC_LENGTH:
            raise ValidationError(
                _("%(field)s must each be 1-%(most)s characters", field=field, most=MAX_TOPIC_LENGTH), field=field
            )
        seen.setdefault(item.strip().casefold(), item.strip())
    if len(seen) > MAX_TOPICS:
        raise ValidationError(
            _("%(field)s may list at most %(most)s topics", field=field, most=MAX_TOPICS), field=field
        )
    if required and not seen:
        raise ValidationError(_("%(field)s needs at least one topic", field=field), field=field)
    return tuple(seen.values())


def split_topics(value: str) -> list[str]:
    """Topics typed as one line, separated by commas (forms and query strings)."""
    return [t.strip() for t in value.split(",") if t.strip()]


def language(value: object, field: str = "language") -> str:
    if not isinstance(value, str) or not LANGUAGE_RE.match(value):
        raise ValidationError(_("%(field)s must be a language code such as 'en' or 'pt-BR'", field=field), field=field)
    return value


def languages(value: object, field: str = "languages") -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(_("%(field)s must be a list of language codes", field=field), field=field)
    codes: dict[str, str] = {}
    for item in value:
        codes.setdefault(language(item, field).casefold(), item)
    if not codes or len(codes) > MAX_LANGUAGES:
        raise ValidationError(
            _("%(field)s needs 1-%(most)s language codes", field=field, most=MAX_LANGUAGES), field=field
        )
    return tuple(codes.values())


def timezone(value: object, field: str = "timezone") -> str:
    if not isinstance(value, str) or value not in _zones():
        raise ValidationError(
            _("%(field)s must be an IANA time zone such as 'Europe/Berlin'", field=field), field=field
        )
    return value


def optional(check: Any, value: object, field: str) -> Any:
    """``None`` (or an empty string) stays ``None``; anything else must pass ``check``."""
    if value is None or value == "":
        return None
    return check(value, field)


def capacity(value: object, most: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
        raise ValidationError(
            _(
                "%(field)s must be a whole number from 1 to %(most)s (GUILDKIT_MENTOR_MAX_CAPACITY)",
                field="capacity",
                most=format_number(most),
            ),
            field="capacity",
        )
    return value


def rating(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationError(_("%(field)s must be a whole number from 1 to 5", field="rating"), field="rating")
    return value


def day(value: object, today: date, field: str = "on") -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(_("%(field)s must be a date", field=field), field=field)
    if value > today:
        raise ValidationError(_("%(field)s cannot be in the future", field=field), field=field)
    return value


def flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("%(field)s must be true or false", field=field), field=field)
    return value


def mentorship_id(value: object) -> int | None:
    """An id that can exist, or ``None`` (the caller answers "unknown mentorship")."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if is_row_id(value):
        return value
    return None
