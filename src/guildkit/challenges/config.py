"""The challenges feature's configuration keys (see docs/challenges.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.config import check_non_negative_ints
from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # The most steps a challenge may have.
    "GUILDKIT_CHALLENGES_MAX_STEPS": 10,
    # How many hours before a weekly challenge ends its next week's instance opens (to join ahead).
    "GUILDKIT_CHALLENGES_OPEN_AHEAD_HOURS": 24,
}


def check(config: Any) -> None:
    check_non_negative_ints(config, ("GUILDKIT_CHALLENGES_MAX_STEPS", "GUILDKIT_CHALLENGES_OPEN_AHEAD_HOURS"))
    if config["GUILDKIT_CHALLENGES_MAX_STEPS"] < 1:
        raise ConfigurationError("GUILDKIT_CHALLENGES_MAX_STEPS must be at least 1")
    if config["GUILDKIT_CHALLENGES_OPEN_AHEAD_HOURS"] > 24 * 7:
        raise ConfigurationError("GUILDKIT_CHALLENGES_OPEN_AHEAD_HOURS must be at most a week (168)")
