"""What plugins register: point types, badges, roles and activity types, as plain frozen dataclasses.

Definitions are validated when built, so a typo fails at start-up with a message naming the
field rather than at the first award. The registry syncs them into the database, where awards
refer to them by slug.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any, Literal

from guildkit.errors import ValidationError
from guildkit.models import TIERS
from guildkit.text import check_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")


def check_slug(value: object, field_name: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValidationError(
            f"{field_name} must be 1-100 chars of a-z, 0-9, '_', '.', ':' or '-' starting with a letter or digit",
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
    #: How to earn it, in words, instead of the words guildkit makes from its rule
    #: ("Answer 5 questions · 15 · 40"): for a rule too particular to describe well.
    criteria: str | None = None

    def __post_init__(self) -> None:
        check_slug(self.slug)
        check_text(self.name, "name")
        check_text(self.description, "description", max_length=2000, empty=True)
        if self.criteria is not None:
            check_text(self.criteria, "criteria", max_length=500)
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


#: Who reads a sentence about an activity: the member who did it, the member it was done to,
#: or anyone else.
Audience = Literal["actor", "target", "public"]

#: The placeholders each kind of phrase may use.
_SENTENCE_FIELDS = frozenset({"subject", "actor", "target"})
_GOAL_FIELDS = frozenset({"n"})


def _check_phrase(value: str | None, field_name: str, allowed: frozenset[str]) -> None:
    if value is None:
        return
    check_text(value, field_name, max_length=200, one_line=True)
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise ValidationError(f"{field_name} is not a valid template: {exc}", field=field_name) from exc
    unknown = used - allowed
    if unknown:
        raise ValidationError(
            f"{field_name} uses {{{sorted(unknown)[0]}}}; it may use {', '.join(f'{{{a}}}' for a in sorted(allowed))}",
            field=field_name,
        )


@dataclass(frozen=True)
class ActivityTypeDef:
    """The words for an activity type, so members read sentences rather than ``answer.upvoted``.

    ``label`` names the type in lists ("Answer upvoted"). The sentences say what happened to
    each audience and may use ``{subject}`` (the title of what it was about, linked, from the
    subject resolver), ``{actor}`` and ``{target}`` (members' names):

    * ``actor`` — to the member who did it: "You upvoted {subject}";
    * ``target`` — to the member it was done to: "Your answer to {subject} was upvoted";
    * ``public`` — to anyone else: "{actor} upvoted an answer to {subject}".

    The goals say what a badge asks, with ``{n}``: ``goal`` counts what the member does
    ("Answer {n} questions"), ``received_goal`` what is done to them ("Get {n} upvotes on your
    answers"); ``goal_one`` and ``received_goal_one`` are the words for one ("Answer a
    question"). ``subject`` is what the subject is when the host cannot say ("an answer").
    ``notify`` tells the member it was done to, in their notifications ("Ada upvoted your
    answer to …"), when it is ``"target"``.
    """

    type: str
    label: str
    actor: str | None = None
    target: str | None = None
    public: str | None = None
    goal: str | None = None
    goal_one: str | None = None
    received_goal: str | None = None
    received_goal_one: str | None = None
    subject: str | None = None
    notify: Literal["target"] | None = None

    def __post_init__(self) -> None:
        check_slug(self.type, "type")
        check_text(self.label, "label", max_length=100, one_line=True)
        for name in ("actor", "target", "public"):
            _check_phrase(getattr(self, name), name, _SENTENCE_FIELDS)
        for name in ("goal", "goal_one", "received_goal", "received_goal_one"):
            _check_phrase(getattr(self, name), name, _GOAL_FIELDS)
        if self.subject is not None:
            check_text(self.subject, "subject", max_length=100, one_line=True)
        if self.notify not in (None, "target"):
            raise ValidationError("notify must be 'target' or None", field="notify")

    def sentence(self, audience: Audience) -> str | None:
        """The template for ``audience``, if one was given."""
        return {"actor": self.actor, "target": self.target, "public": self.public}[audience]


def check_url(value: object, field_name: str = "url") -> str:
    """An absolute ``http(s)://`` URL or a path on this site: never ``javascript:`` or ``//host``."""
    if not isinstance(value, str) or not (
        value.startswith(("https://", "http://")) or (value.startswith("/") and not value.startswith("//"))
    ):
        raise ValidationError(f"{field_name} must be http(s):// or a path starting with /", field=field_name)
    check_text(value, field_name, max_length=2000, one_line=True)
    return value


@dataclass(frozen=True)
class Subject:
    """What an activity was about, as the host shows it: a title and where it lives.

    Returned by the subject resolver (``@gk.subject_loader`` or ``guildkit_resolve_subjects``)
    for keys such as ``"answer:384"``.
    """

    title: str
    url: str | None = None

    def __post_init__(self) -> None:
        check_text(self.title, "title", max_length=300, one_line=True)
        if self.url is not None:
            check_url(self.url)


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
            check_url(url)
        object.__setattr__(self, "also_current", tuple(self.also_current))

    def is_current(self, path: str) -> bool:
        """Whether ``path`` (the page being shown) is this link's page or below it."""
        return any(path == url or path.startswith(url.rstrip("/") + "/") for url in (self.url, *self.also_current))
