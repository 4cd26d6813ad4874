"""The events feature's configuration keys (see docs/events.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.config import check_non_negative_ints, check_optional_strings

DEFAULTS: dict[str, Any] = {
    # The permission needed to create events (None: any active member may).
    "GUILDKIT_EVENT_CREATE_PERMISSION": None,
    # Minutes before the start and after the end in which a check-in code works.
    "GUILDKIT_CHECKIN_WINDOW_MINUTES": 60,
}


def check(config: Any) -> None:
    check_non_negative_ints(config, ("GUILDKIT_CHECKIN_WINDOW_MINUTES",))
    check_optional_strings(config, ("GUILDKIT_EVENT_CREATE_PERMISSION",))
