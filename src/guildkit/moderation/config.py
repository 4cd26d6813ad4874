"""The moderation feature's configuration keys (see docs/moderation.md, docs/abuse.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.config import check_non_negative_ints
from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # Serial-voting detection: {"types": [...], "threshold": 10, "window_hours": 24, "lookback_days": 7}.
    "GUILDKIT_SERIAL_VOTING": None,
    # Trust level -> how much a report counts (times its category's weight) towards a case's severity.
    "GUILDKIT_REPORT_TRUST_WEIGHTS": {0: 1, 1: 1, 2: 2, 3: 3, 4: 3},
    # Spam reports from this many trusted members hide the reported member's content (0: never).
    "GUILDKIT_HIDE_AFTER_SPAM_REPORTS": 3,
    # The trust level from which a spam report counts towards hiding.
    "GUILDKIT_HIDE_MIN_TRUST_LEVEL": 2,
}


def check(config: Any) -> None:
    from guildkit.moderation.abuse import SerialVoting

    check_non_negative_ints(config, ("GUILDKIT_HIDE_AFTER_SPAM_REPORTS",))
    weights = config["GUILDKIT_REPORT_TRUST_WEIGHTS"]
    if (
        not isinstance(weights, dict)
        or sorted(weights) != [0, 1, 2, 3, 4]
        or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 0 for w in weights.values())
    ):
        raise ConfigurationError(
            "GUILDKIT_REPORT_TRUST_WEIGHTS must map each trust level 0-4 to a non-negative integer"
        )
    level = config["GUILDKIT_HIDE_MIN_TRUST_LEVEL"]
    if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 4:
        raise ConfigurationError("GUILDKIT_HIDE_MIN_TRUST_LEVEL must be a trust level from 0 to 4")
    SerialVoting.from_config(config["GUILDKIT_SERIAL_VOTING"])
