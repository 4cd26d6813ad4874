"""The trust feature's configuration keys (see docs/trust.md and docs/config.md)."""

from __future__ import annotations

import copy
from typing import Any

from guildkit.config import check_non_negative_ints

DEFAULTS: dict[str, Any] = {
    # Levels 0-4: names, and the activity criteria of levels 1-3 (default: Discourse's, see docs).
    "GUILDKIT_TRUST_LEVELS": None,
    # Days a level-3 member keeps the level after its criteria lapse.
    "GUILDKIT_TRUST_GRACE_DAYS": 14,
    # Privilege name -> requirement (trust_level, points, role or badge; a list means any of them).
    "GUILDKIT_PRIVILEGES": None,
}


def apply_structured_defaults(config: Any) -> None:
    """``None`` stands for the defaults that live with the code (Discourse-like levels, a few privileges)."""
    from guildkit.trust import DEFAULT_LEVELS
    from guildkit.trust.privileges import DEFAULT_PRIVILEGES

    if config["GUILDKIT_TRUST_LEVELS"] is None:
        config["GUILDKIT_TRUST_LEVELS"] = copy.deepcopy(DEFAULT_LEVELS)
    if config["GUILDKIT_PRIVILEGES"] is None:
        config["GUILDKIT_PRIVILEGES"] = copy.deepcopy(DEFAULT_PRIVILEGES)


def check(config: Any) -> None:
    from guildkit.trust import parse_levels
    from guildkit.trust.privileges import parse_privileges

    check_non_negative_ints(config, ("GUILDKIT_TRUST_GRACE_DAYS",))
    parse_levels(config["GUILDKIT_TRUST_LEVELS"])
    parse_privileges(config["GUILDKIT_PRIVILEGES"])
