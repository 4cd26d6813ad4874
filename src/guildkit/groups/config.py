"""The groups feature's configuration keys (see docs/groups.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.config import check_non_negative_ints
from guildkit.errors import ConfigurationError

#: Who may make a group from the pages and the API: any active member, holders of the
#: ``groups.create`` permission, or nobody but host code and ``groups.manage`` holders.
CREATORS = ("members", "permission", "host")

DEFAULTS: dict[str, Any] = {
    "GUILDKIT_GROUPS_CREATE": "permission",
    # The policy of a new group when its maker names none: open, request or invite.
    "GUILDKIT_GROUPS_DEFAULT_POLICY": "open",
    # How many groups one member may belong to at once (0: no limit).
    "GUILDKIT_GROUPS_MAX_PER_MEMBER": 20,
    # A goal's contributors need at least this many of its activities for its badge (a goal may say otherwise).
    "GUILDKIT_GROUPS_MIN_CONTRIBUTION": 1,
}


def check(config: Any) -> None:
    check_non_negative_ints(config, ("GUILDKIT_GROUPS_MAX_PER_MEMBER", "GUILDKIT_GROUPS_MIN_CONTRIBUTION"))
    if config["GUILDKIT_GROUPS_CREATE"] not in CREATORS:
        raise ConfigurationError(f"GUILDKIT_GROUPS_CREATE must be one of {CREATORS}")
    if config["GUILDKIT_GROUPS_DEFAULT_POLICY"] not in ("open", "request", "invite"):
        raise ConfigurationError("GUILDKIT_GROUPS_DEFAULT_POLICY must be 'open', 'request' or 'invite'")
    if config["GUILDKIT_GROUPS_MIN_CONTRIBUTION"] < 1:
        raise ConfigurationError("GUILDKIT_GROUPS_MIN_CONTRIBUTION must be at least 1")
