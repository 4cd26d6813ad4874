"""Rules turn activities into outcomes. :mod:`.base` is the contract, :mod:`.builtin` the
declarative rules guildkit ships, :mod:`.loader` reads them from a TOML or YAML file."""

from guildkit.rules.base import (
    AwardBadge,
    AwardPoints,
    GrantRole,
    HoldBadge,
    HoldRole,
    Outcome,
    RevokeBadge,
    RevokeRole,
    Rule,
    RuleContext,
    SetStatus,
    Veto,
)
from guildkit.rules.builtin import BadgeRule, EventBadgeRule, Levels, PointsRule, RoleRule

__all__ = [
    "AwardBadge",
    "AwardPoints",
    "BadgeRule",
    "EventBadgeRule",
    "GrantRole",
    "HoldBadge",
    "HoldRole",
    "Levels",
    "Outcome",
    "PointsRule",
    "RevokeBadge",
    "RevokeRole",
    "RoleRule",
    "Rule",
    "RuleContext",
    "SetStatus",
    "Veto",
]
