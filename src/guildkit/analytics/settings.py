"""The analytics configuration, read from ``app.config`` and checked in ``init_app``.

Activity types are named exactly (``answer.posted``) or by a pattern with ``*`` (``*.posted``);
patterns become SQL ``LIKE`` clauses so the filtering stays in the database. guildkit's own
bookkeeping activities (types starting ``guildkit.``: joining, accepting the guidelines, awards
by hand, trust level changes) are never counted as a member being active: they are not something
the member did in the community.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from guildkit.errors import ConfigurationError
from guildkit.models import Activity, table_of

ACTIVITIES = table_of(Activity)

DEFAULTS: dict[str, Any] = {
    # Activity types (or patterns with '*') that are content, for "contributing members".
    "GUILDKIT_CONTENT_ACTIVITY_TYPES": ["*.posted", "*.created", "*.published"],
    # Activity types that are a reply to their target, for newcomers' time to first response.
    "GUILDKIT_REPLY_ACTIVITY_TYPES": ["answer.posted", "comment.posted", "reply.posted"],
    # Weights of activity types (or patterns, or '*' for the rest) for the engagement levels.
    "GUILDKIT_ENGAGEMENT_WEIGHTS": {"*": 1},
    # Days without activity after which a member active in the last 30 days is "at risk".
    "GUILDKIT_AT_RISK_IDLE_DAYS": 14,
}
#: Activities of these types are bookkeeping, not participation (see the module docstring).
INTERNAL_PREFIX = "guildkit."
PATTERN = re.compile(r"^[a-z0-9_.:*-]{1,100}$")


def _like(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def type_matches(patterns: Sequence[str], column: Any = ACTIVITIES.c.type) -> sa.ColumnElement[bool]:
    """A clause true for activity types named by ``patterns`` (exact names or ``*`` patterns)."""
    exact = [p for p in patterns if "*" not in p]
    clauses: list[sa.ColumnElement[bool]] = [column.like(_like(p), escape="\\") for p in patterns if "*" in p]
    if exact:
        clauses.append(column.in_(exact))
    return sa.or_(*clauses) if clauses else sa.false()


def participation() -> sa.ColumnElement[bool]:
    """Live activities with an actor that are not guildkit's bookkeeping."""
    return sa.and_(ACTIVITIES.c.retracted_at.is_(None), participation_of_any())


def participation_of_any() -> sa.ColumnElement[bool]:
    """Activities, live or retracted, with an actor that are not guildkit's bookkeeping."""
    return sa.and_(
        ACTIVITIES.c.actor_id.is_not(None),
        ACTIVITIES.c.type.not_like(_like(INTERNAL_PREFIX) + "%", escape="\\"),
    )


def weight_expression(weights: Mapping[str, float]) -> sa.ColumnElement[Any]:
    """Each activity's weight: its exact type's, else the first matching pattern's, else ``"*"``'s."""
    column = ACTIVITIES.c.type
    exact = [(t, w) for t, w in weights.items() if "*" not in t]
    patterns = [(t, w) for t, w in weights.items() if "*" in t and t != "*"]
    whens: list[tuple[sa.ColumnElement[bool], Any]] = [(column == t, sa.literal(w)) for t, w in exact]
    whens += [(column.like(_like(t), escape="\\"), sa.literal(w)) for t, w in patterns]
    default = sa.literal(weights.get("*", 0))
    return sa.case(*whens, else_=default) if whens else default


@dataclass(frozen=True)
class Settings:
    content_types: tuple[str, ...]
    reply_types: tuple[str, ...]
    weights: dict[str, float]
    at_risk_idle_days: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            tuple(config["GUILDKIT_CONTENT_ACTIVITY_TYPES"]),
            tuple(config["GUILDKIT_REPLY_ACTIVITY_TYPES"]),
            dict(config["GUILDKIT_ENGAGEMENT_WEIGHTS"]),
            int(config["GUILDKIT_AT_RISK_IDLE_DAYS"]),
        )


def check(config: Mapping[str, Any]) -> None:
    """Raise :class:`~guildkit.errors.ConfigurationError` for a bad analytics setting."""
    for key in ("GUILDKIT_CONTENT_ACTIVITY_TYPES", "GUILDKIT_REPLY_ACTIVITY_TYPES"):
        value = config[key]
        if (
            isinstance(value, str)
            or not isinstance(value, Sequence)
            or not all(isinstance(t, str) and PATTERN.match(t) for t in value)
        ):
            raise ConfigurationError(f"{key} must be a list of activity types or patterns with '*'")
    weights = config["GUILDKIT_ENGAGEMENT_WEIGHTS"]
    if not isinstance(weights, Mapping) or not all(
        isinstance(t, str)
        and PATTERN.match(t)
        and isinstance(w, int | float)
        and not isinstance(w, bool)
        and 0 <= w <= 1_000_000
        for t, w in weights.items()
    ):
        raise ConfigurationError(
            "GUILDKIT_ENGAGEMENT_WEIGHTS must map activity types (or patterns, or '*') to numbers from 0 to 1000000"
        )
    idle = config["GUILDKIT_AT_RISK_IDLE_DAYS"]
    if not isinstance(idle, int) or isinstance(idle, bool) or not 1 <= idle <= 29:
        raise ConfigurationError("GUILDKIT_AT_RISK_IDLE_DAYS must be a whole number of days from 1 to 29")
