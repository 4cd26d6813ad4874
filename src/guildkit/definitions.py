"""What plugins register: point types, badges and roles, as plain frozen dataclasses.

Definitions are validated when built, so a typo fails at start-up with a message naming the
field rather than at the first award. The registry syncs them into the database, where awards
refer to them by slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from guildkit.errors import ValidationError
from guildkit.models import TIERS
from guildkit.text import check_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")


def check_slug(value: object, field_name: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValidationError(
            f"{field_name} must be 1-100 chars of a-z, 0-9, '_', '.', ':' or '-' "
            f"starting with a letter or digit, got {value!r}",
            field=field_name,
        )
    return value


def check_caps(definition: object, names: tuple[str, ...]) -> None:
    """Each named cap is ``None`` or a non-negative integer."""
    for name in names:
        value = getattr(definition, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise ValidationError(f"{name} must be a non-negative integer", field=name)


@dataclass(frozen=True)
class PointTypeDef:
    """A kind of points. ``floor``: balances never drop below it (Stack Exchange uses 1).

    Caps on what capped rules give a member (see :mod:`guildkit.caps`): ``daily_cap`` a day,
    ``weekly_cap`` a week, ``pair_weekly_cap`` a week from any one actor. ``expires_after_days``:
    points of this type expire that many days after they were earned (:mod:`guildkit.expiry`).
    """

    slug: str
    name: str
    description: str = ""
    floor: int | None = None
    daily_cap: int | None = None
    weekly_cap: int | None = None
    pair_weekly_cap: int | None = None
    expires_after_days: int | None = None

    def __post_init__(self) -> None:
        check_slug(self.slug)
        check_text(self.name, "name")
        check_caps(self, ("daily_cap", "weekly_cap", "pair_weekly_cap"))
        days = self.expires_after_days
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 36_500):
            raise ValidationError("expires_after_days must be a number of days from 1", field="expires_after_days")
        if self.floor is not None and not isinstance(self.floor, int):
            raise ValidationError("floor must be an integer", field="floor")


@dataclass(frozen=True)
class BadgeLevel:
    """One level of a badge (levels are 1-indexed by position)."""

    tier: str = "bronze"
    name: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValidationError(f"tier must be one of {', '.join(TIERS)}", field="tier")


@dataclass(frozen=True)
class BadgeDef:
    """A badge. Most badges have one level; tiered badges list one :class:`BadgeLevel` per step."""

    slug: str
    name: str
    description: str = ""
    category: str = "general"
    levels: tuple[BadgeLevel, ...] = (BadgeLevel(),)
    repeatable: bool = False
    secret: bool = False
    image: str | None = None

    def __post_init__(self) -> None:
        check_slug(self.slug)
        check_text(self.name, "name")
        check_text(self.description, "description", max_length=2000, empty=True)
        if not self.levels or not all(isinstance(lv, BadgeLevel) for lv in self.levels):
            raise ValidationError("levels must be a non-empty tuple of BadgeLevel", field="levels")
        object.__setattr__(self, "levels", tuple(self.levels))

    def level_name(self, level: int) -> str:
        named = self.levels[level - 1].name if 0 < level <= len(self.levels) else None
        if named:
            return named
        if len(self.levels) == 1:
            return self.name
        return f"{self.levels[level - 1].tier.title()} {self.name}"

    def levels_as_json(self, thresholds: list[int] | None = None) -> list[dict[str, Any]]:
        return [
            {
                "level": i,
                "tier": lv.tier,
                "name": self.level_name(i),
                "description": lv.description or self.description,
                "threshold": thresholds[i - 1] if thresholds and i <= len(thresholds) else None,
            }
            for i, lv in enumerate(self.levels, start=1)
        ]


@dataclass(frozen=True)
class RoleDef:
    """A role and the permissions it carries."""

    slug: str
    name: str
    description: str = ""
    permissions: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check_slug(self.slug)
        check_text(self.name, "name")
        object.__setattr__(self, "permissions", tuple(self.permissions))


@dataclass(frozen=True)
class PageLink:
    """A link a plugin adds to one of guildkit's pages (``guildkit_page_links``).

    ``url`` is absolute (``https://...``) or a path on this site (``/community/...``). A
    navigation link is marked as the current page on its own URL and the pages below it, and
    below each path in ``also_current`` (the Mentoring link is current on ``/mentorships/...`` too).
    """

    label: str
    url: str
    also_current: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_text(self.label, "label", max_length=100)
        for url in (self.url, *self.also_current):
            if not isinstance(url, str) or not (
                url.startswith(("https://", "http://")) or (url.startswith("/") and not url.startswith("//"))
            ):
                raise ValidationError("url must be http(s):// or a path starting with /", field="url")
        object.__setattr__(self, "also_current", tuple(self.also_current))

    def is_current(self, path: str) -> bool:
        """Whether ``path`` (the page being shown) is this link's page or below it."""
        return any(path == url or path.startswith(url.rstrip("/") + "/") for url in (self.url, *self.also_current))
