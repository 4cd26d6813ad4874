"""The titles feature's configuration keys (see docs/titles.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # Badges that may not be chosen as a title (slugs): a title from one stops showing.
    "GUILDKIT_TITLES_EXCLUDE": [],
}


def check(config: Any) -> None:
    excluded = config["GUILDKIT_TITLES_EXCLUDE"]
    if not isinstance(excluded, list | tuple | set | frozenset) or not all(isinstance(s, str) for s in excluded):
        raise ConfigurationError("GUILDKIT_TITLES_EXCLUDE must be a list of badge slugs")


def excluded(config: Any) -> frozenset[str]:
    return frozenset(config["GUILDKIT_TITLES_EXCLUDE"])
