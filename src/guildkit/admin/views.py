"""What the admin console's service hands out: frozen views of badges, roles, rules, plugins and
hook failures, and where a definition came from (:func:`origin_of`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from guildkit.admin import console
from guildkit.rules.base import Rule


@dataclass(frozen=True)
class BadgeView:
    slug: str
    name: str
    description: str
    category: str
    tiers: list[str]
    origin: str
    #: ``database`` (made in the console: editable), ``file``, ``code``, ``built-in`` or ``plugin``.
    origin_kind: str
    editable: bool
    archived: bool
    secret: bool
    repeatable: bool
    #: How each rule awarding it reads (``describe()``).
    criteria: list[str]
    criterion: str | None = None
    activity_type: str | None = None
    subject_role: str | None = None
    point_type: str | None = None
    thresholds: list[int] | None = None
    #: The uploaded image's type, or ``None`` (a generated SVG is shown).
    image_type: str | None = None


@dataclass(frozen=True)
class RoleView:
    slug: str
    name: str
    description: str
    permissions: list[str]
    origin: str
    origin_kind: str
    editable: bool


@dataclass(frozen=True)
class RuleView:
    name: str
    kind: str
    origin: str
    origin_kind: str
    triggers: list[str]
    description: str


@dataclass(frozen=True)
class RuleVersionView:
    """A stored rule-set version and, in words, what it changed from the one before."""

    version: int
    content_hash: str
    first_seen_at: datetime
    last_seen_at: datetime
    in_force: bool
    changes: list[str]


@dataclass(frozen=True)
class PluginView:
    name: str
    package: str | None
    version: str | None
    hooks: list[str]


@dataclass(frozen=True)
class FailureView:
    id: int
    plugin: str
    hook: str
    error: str
    activity_key: str | None
    at: datetime


def origin_of(plugin: str) -> tuple[str, str]:
    """``(kind, label)`` for the plugin name that contributed a definition."""
    if plugin == console.NAME:
        return "database", "admin console"
    if plugin.startswith("guildkit.rules_file:"):
        return "file", plugin.removeprefix("guildkit.rules_file:")
    if plugin.startswith("guildkit.define:"):
        return "code", "gk.define()"
    if plugin.startswith("guildkit."):
        return "built-in", plugin
    return "plugin", plugin


def describe(rule: Rule) -> str:
    """What a rule awards, in its own words (``describe()`` is optional for a rule)."""
    text = getattr(rule, "describe", None)
    return str(text()) if callable(text) else rule.name
