"""What plugins register: point types, badges, roles and activity types, as plain frozen dataclasses.

Definitions are validated when built, so a typo fails at start-up with a message naming the
field rather than at the first award. The registry syncs them into the database, where awards
refer to them by slug.

The words in a definition (names, descriptions, an activity type's sentences) are :data:`Text`:
plain text, or a lazy translation (``lazy_gettext("Mentor")``). :func:`shown` says them in the
reader's language, for pages and emails (plain text too, when a catalogue has it: guildkit's own
definitions are plain text marked with ``N_``); :func:`source` gives them as written, for what is
stored, hashed, or told to hooks and plugins.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from flask_babel import force_locale
from flask_babel.speaklater import LazyString

from guildkit.errors import ValidationError
from guildkit.i18n import SOURCE_LOCALE, gettext, lazy_gettext, translated
from guildkit.models import TIERS
from guildkit.text import check_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")

#: Words members read: text, or a lazy translation made with ``lazy_gettext`` (from guildkit's
#: catalogue or the host's), turned into text in the reader's language only when shown.
Text: TypeAlias = str | LazyString

#: The tiers' names, shown with their colour (never colour alone).
TIER_NAMES: dict[str, Text] = {
    "bronze": lazy_gettext("Bronze"),
    "silver": lazy_gettext("Silver"),
    "gold": lazy_gettext("Gold"),
}


@contextmanager
def as_written() -> Iterator[None]:
    """Meanwhile, words are said as written in the code (the source language), whoever is
    reading: for what the database stores, which never depends on the language of the request
    that wrote it."""
    with force_locale(SOURCE_LOCALE):
        yield


def source(text: Text) -> str:
    """``text`` as written in the code (see :func:`as_written`): what is stored and hashed."""
    if isinstance(text, str):
        return text
    with as_written():
        return str(text)


def shown(text: Text) -> str:
    """Declared words in the reader's language, for a page or an email: a lazy translation said
    now; text through the catalogues (guildkit's own words are marked with ``N_``; a host's are
    translated when its own catalogue has them), else as it is."""
    return str(text) if isinstance(text, LazyString) else translated(text)


def check_words(value: object, field_name: str, **limits: Any) -> None:
    """:func:`~guildkit.text.check_text` for :data:`Text` (a lazy translation is checked as written)."""
    check_text(source(value) if isinstance(value, LazyString) else value, field_name, **limits)


def check_slug(value: object, field_name: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValidationError(
            gettext(
                "%(field)s must be 1-100 chars of a-z, 0-9, '_', '.', ':' or '-' starting with a letter or digit",
                field=field_name,
            ),
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
    name: Text
    description: Text = ""
    floor: int | None = None
    daily_cap: int | None = None
    weekly_cap: int | None = None
    pair_weekly_cap: int | None = None
    expires_after_days: int | None = None

    def __post_init__(self) -> None:
        check_slug(self.slug)
        check_words(self.name, "name")
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
    name: Text | None = None
    description: Text | None = None

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValidationError(f"tier must be one of {', '.join(TIERS)}", field="tier")


@dataclass(frozen=True)
class BadgeDef:
    """A badge. Most badges have one level; tiered badges list one :class:`BadgeLevel` per step."""

    slug: str
    name: Text
    description: Text = ""
    category: str = "general"
    levels: tuple[BadgeLevel, ...] = (BadgeLevel(),)
    repeatable: bool = False
    secret: bool = False
    image: str | None = None
    #: How to earn it, in words, instead of the words guildkit makes from its rule
    #: ("Answer 5 questions · 15 · 40"): for a rule too particular to describe well.
    criteria: Text | None = None

    def __post_init__(self) -> None:
        check_slug(self.slug)
        check_words(self.name, "name")
        check_words(self.description, "description", max_length=2000, empty=True)
        if self.criteria is not None:
            check_words(self.criteria, "criteria", max_length=500)
        if not self.levels or not all(isinstance(lv, BadgeLevel) for lv in self.levels):
            raise ValidationError("levels must be a non-empty tuple of BadgeLevel", field="levels")
        object.__setattr__(self, "levels", tuple(self.levels))

    def level_name(self, level: int) -> str:
        """The level's own name, else the badge's (with its tier's for a badge of several levels:
        "Gold Answerer"), as written: what is stored and what hooks and plugins are told."""
        named = self.levels[level - 1].name if 0 < level <= len(self.levels) else None
        if named:
            return source(named)
        if len(self.levels) == 1:
            return source(self.name)
        return f"{self.levels[level - 1].tier.title()} {source(self.name)}"

    def level_title(self, level: int) -> str:
        """:meth:`level_name` in the reader's language, for pages and emails."""
        named = self.levels[level - 1].name if 0 < level <= len(self.levels) else None
        if named:
            return shown(named)
        if len(self.levels) == 1:
            return shown(self.name)
        tier = self.levels[level - 1].tier
        return gettext("%(tier)s %(badge)s", tier=shown(TIER_NAMES.get(tier, tier)), badge=shown(self.name))

    def levels_as_json(self, thresholds: list[int] | None = None) -> list[dict[str, Any]]:
        """The levels as written (see :meth:`level_name`)."""
        return [
            {
                "level": i,
                "tier": lv.tier,
                "name": self.level_name(i),
                "description": source(lv.description or self.description),
                "threshold": thresholds[i - 1] if thresholds and i <= len(thresholds) else None,
            }
            for i, lv in enumerate(self.levels, start=1)
        ]


@dataclass(frozen=True)
class RoleDef:
    """A role and the permissions it carries."""

    slug: str
    name: Text
    description: Text = ""
    permissions: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check_slug(self.slug)
        check_words(self.name, "name")
        object.__setattr__(self, "permissions", tuple(self.permissions))


#: Who reads a sentence about an activity: the member who did it, the member it was done to,
#: or anyone else.
Audience = Literal["actor", "target", "public"]

#: The placeholders each kind of phrase may use.
_SENTENCE_FIELDS = frozenset({"subject", "actor", "target"})
_GOAL_FIELDS = frozenset({"n"})


def _check_phrase(value: Text | None, field_name: str, allowed: frozenset[str]) -> None:
    if value is None:
        return
    check_words(value, field_name, max_length=200, one_line=True)
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(source(value)) if name is not None}
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

    Each may be a lazy translation (``lazy_gettext("You upvoted {subject}")``, from the host's
    catalogue), filled in when shown, in the reader's language; a translation keeps the
    placeholders as they are.

    The goals say what a badge asks, with ``{n}``: ``goal`` counts what the member does
    ("Answer {n} questions"), ``received_goal`` what is done to them ("Get {n} upvotes on your
    answers"); ``goal_one`` and ``received_goal_one`` are the words for one ("Answer a
    question"). ``subject`` is what the subject is when the host cannot say ("an answer").
    ``notify`` tells the member it was done to, in their notifications ("Ada upvoted your
    answer to …"), when it is ``"target"``.
    """

    type: str
    label: Text
    actor: Text | None = None
    target: Text | None = None
    public: Text | None = None
    goal: Text | None = None
    goal_one: Text | None = None
    received_goal: Text | None = None
    received_goal_one: Text | None = None
    subject: Text | None = None
    notify: Literal["target"] | None = None

    def __post_init__(self) -> None:
        check_slug(self.type, "type")
        check_words(self.label, "label", max_length=100, one_line=True)
        for name in ("actor", "target", "public"):
            _check_phrase(getattr(self, name), name, _SENTENCE_FIELDS)
        for name in ("goal", "goal_one", "received_goal", "received_goal_one"):
            _check_phrase(getattr(self, name), name, _GOAL_FIELDS)
        if self.subject is not None:
            check_words(self.subject, "subject", max_length=100, one_line=True)
        if self.notify not in (None, "target"):
            raise ValidationError("notify must be 'target' or None", field="notify")

    def sentence(self, audience: Audience) -> Text | None:
        """The template for ``audience``, if one was given."""
        return {"actor": self.actor, "target": self.target, "public": self.public}[audience]


def check_url(value: object, field_name: str = "url") -> str:
    """An absolute ``http(s)://`` URL or a path on this site: never ``javascript:`` or ``//host``."""
    if not isinstance(value, str) or not (
        value.startswith(("https://", "http://")) or (value.startswith("/") and not value.startswith("//"))
    ):
        raise ValidationError(
            gettext("%(field)s must be http(s):// or a path starting with /", field=field_name), field=field_name
        )
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
class Flair:
    """What a plugin shows next to a member's name (``guildkit_member_flair``).

    ``kind``: ``"title"`` (a badge the member chose, in words after their name) or ``"group"``
    (a group they chose, as a small linked chip). ``text``: the words, in the reader's language.
    ``ref``: what it stands for, for developers (a badge's slug, a group's id). ``url``: where it
    links to, if anywhere.
    """

    kind: str
    text: str
    ref: str | int
    url: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FLAIR_KINDS:
            raise ValidationError(f"kind must be one of {', '.join(FLAIR_KINDS)}", field="kind")
        check_text(self.text, "text", max_length=200, one_line=True)
        if self.url is not None:
            check_url(self.url)


#: The kinds of :class:`Flair`, in the order they follow a name.
FLAIR_KINDS = ("title", "group")


@dataclass(frozen=True)
class PageLink:
    """A link a plugin adds to one of guildkit's pages (``guildkit_page_links``).

    ``url`` is absolute (``https://...``) or a path on this site (``/community/...``). A
    navigation link is marked as the current page on its own URL and the pages below it, and
    below each path in ``also_current`` (the Mentoring link is current on ``/mentorships/...`` too).
    """

    label: Text
    url: str
    also_current: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_words(self.label, "label", max_length=100)
        for url in (self.url, *self.also_current):
            check_url(url)
        object.__setattr__(self, "also_current", tuple(self.also_current))

    def is_current(self, path: str) -> bool:
        """Whether ``path`` (the page being shown) is this link's page or below it."""
        return any(path == url or path.startswith(url.rstrip("/") + "/") for url in (self.url, *self.also_current))
