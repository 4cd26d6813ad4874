"""The objectives feature's configuration keys (see docs/objectives.md and docs/config.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # Days between two readings of an objective's trend (from its start date); a long objective
    # spaces them wider, so that a trend has at most 26.
    "GUILDKIT_OBJECTIVES_READING_DAYS": 7,
    # Readings (with a value) a trend needs before it projects the KPI to the due date.
    "GUILDKIT_OBJECTIVES_MIN_READINGS": 3,
}


def _whole(value: object, key: str, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigurationError(f"{key} must be a whole number from {low} to {high}, got {value!r}")


def check(config: Any) -> None:
    _whole(config["GUILDKIT_OBJECTIVES_READING_DAYS"], "GUILDKIT_OBJECTIVES_READING_DAYS", 1, 31)
    _whole(config["GUILDKIT_OBJECTIVES_MIN_READINGS"], "GUILDKIT_OBJECTIVES_MIN_READINGS", 2, 26)


@dataclass(frozen=True)
class Settings:
    """The keys above, as the app in use has them."""

    reading_days: int
    min_readings: int

    @classmethod
    def current(cls) -> Settings:
        config = current_app.config
        return cls(config["GUILDKIT_OBJECTIVES_READING_DAYS"], config["GUILDKIT_OBJECTIVES_MIN_READINGS"])
