"""The guidelines feature's configuration keys (see docs/guidelines.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # Members who have not accepted the current guidelines earn nothing until they do.
    "GUILDKIT_REQUIRE_GUIDELINES": False,
}


def check(config: Any) -> None:
    if not isinstance(config["GUILDKIT_REQUIRE_GUIDELINES"], bool):
        raise ConfigurationError("GUILDKIT_REQUIRE_GUIDELINES must be True or False")
