"""The streaks feature's configuration keys (see docs/streaks.md and docs/config.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # A member earns one freeze each time a streak's run reaches a multiple of this many days.
    "GUILDKIT_STREAKS_FREEZE_EVERY": 7,
    # Earned freezes stop at this many held (staff may grant beyond it).
    "GUILDKIT_STREAKS_MAX_FREEZES": 2,
    # The longest absence a member may declare, in days.
    "GUILDKIT_STREAKS_MAX_ABSENCE_DAYS": 30,
    # The most freezes one grant may give.
    "GUILDKIT_STREAKS_MAX_GRANT": 10,
}


def _whole(config: Any, key: str, low: int, high: int) -> None:
    value = config[key]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigurationError(f"{key} must be a whole number from {low} to {high}, got {value!r}")


def check(config: Any) -> None:
    _whole(config, "GUILDKIT_STREAKS_FREEZE_EVERY", 1, 365)
    _whole(config, "GUILDKIT_STREAKS_MAX_FREEZES", 0, 100)
    _whole(config, "GUILDKIT_STREAKS_MAX_ABSENCE_DAYS", 1, 365)
    _whole(config, "GUILDKIT_STREAKS_MAX_GRANT", 1, 100)


@dataclass(frozen=True)
class Settings:
    """The keys above, as the app in use has them."""

    freeze_every: int
    max_freezes: int
    max_absence_days: int
    max_grant: int

    @classmethod
    def current(cls) -> Settings:
        config = current_app.config
        return cls(
            freeze_every=config["GUILDKIT_STREAKS_FREEZE_EVERY"],
            max_freezes=config["GUILDKIT_STREAKS_MAX_FREEZES"],
            max_absence_days=config["GUILDKIT_STREAKS_MAX_ABSENCE_DAYS"],
            max_grant=config["GUILDKIT_STREAKS_MAX_GRANT"],
        )
