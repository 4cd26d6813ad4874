"""The kudos feature's configuration keys (see docs/kudos.md and docs/config.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from guildkit.errors import ConfigurationError

#: The periods a budget may refill by, each starting at midnight in the community's time zone
#: (``GUILDKIT_TIMEZONE``): a day, an ISO week (from Monday), a calendar month.
PERIODS = ("day", "week", "month")
#: The longest message a host may allow.
MESSAGE_MAX = 2000

DEFAULTS: dict[str, Any] = {
    # Kudos each member may give per period.
    "GUILDKIT_KUDOS_BUDGET": 5,
    # How often the budget refills: "day", "week" (from Monday) or "month".
    "GUILDKIT_KUDOS_PERIOD": "week",
    # The trust level (0-4) a member needs to give kudos, asked of gk.trust when trust is on.
    "GUILDKIT_KUDOS_MIN_TRUST_LEVEL": 0,
    # The longest message, in characters.
    "GUILDKIT_KUDOS_MESSAGE_MAX": 280,
    # Ship the default rewards (a point type for the receiver, the Generous badge for givers).
    "GUILDKIT_KUDOS_REWARDS": True,
}


def _whole(value: object, key: str, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigurationError(f"{key} must be a whole number from {low} to {high}, got {value!r}")


def check(config: Any) -> None:
    _whole(config["GUILDKIT_KUDOS_BUDGET"], "GUILDKIT_KUDOS_BUDGET", 1, 1000)
    if config["GUILDKIT_KUDOS_PERIOD"] not in PERIODS:
        raise ConfigurationError(f"GUILDKIT_KUDOS_PERIOD must be one of {', '.join(PERIODS)}")
    _whole(config["GUILDKIT_KUDOS_MIN_TRUST_LEVEL"], "GUILDKIT_KUDOS_MIN_TRUST_LEVEL", 0, 4)
    _whole(config["GUILDKIT_KUDOS_MESSAGE_MAX"], "GUILDKIT_KUDOS_MESSAGE_MAX", 1, MESSAGE_MAX)
    if not isinstance(config["GUILDKIT_KUDOS_REWARDS"], bool):
        raise ConfigurationError("GUILDKIT_KUDOS_REWARDS must be True or False")


@dataclass(frozen=True)
class Settings:
    """The keys above, as the app in use has them."""

    budget: int
    period: str
    min_trust_level: int
    message_max: int
    rewards: bool

    @classmethod
    def current(cls) -> Settings:
        config = current_app.config
        return cls(
            budget=config["GUILDKIT_KUDOS_BUDGET"],
            period=config["GUILDKIT_KUDOS_PERIOD"],
            min_trust_level=config["GUILDKIT_KUDOS_MIN_TRUST_LEVEL"],
            message_max=config["GUILDKIT_KUDOS_MESSAGE_MAX"],
            rewards=config["GUILDKIT_KUDOS_REWARDS"],
        )
