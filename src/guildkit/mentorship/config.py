"""The mentorship feature's configuration keys (see docs/mentorship.md and docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.config import check_non_negative_ints, check_optional_strings
from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # Who may offer mentoring: days since joining, points ({"reputation": 200}), a badge slug.
    "GUILDKIT_MENTOR_MIN_DAYS": 0,
    "GUILDKIT_MENTOR_MIN_POINTS": {},
    "GUILDKIT_MENTOR_BADGE": None,
    # The most mentees a mentor may take on at once (their own capacity is at most this).
    "GUILDKIT_MENTOR_MAX_CAPACITY": 10,
    # Days after which an unanswered mentorship request expires.
    "GUILDKIT_MENTORSHIP_REQUEST_DAYS": 14,
    # Days a mentee must stay active after their mentorship for the mentor's "lasting impact".
    "GUILDKIT_MENTEE_RETAINED_DAYS": 90,
}


def check(config: Any) -> None:
    check_non_negative_ints(
        config,
        (
            "GUILDKIT_MENTOR_MIN_DAYS",
            "GUILDKIT_MENTOR_MAX_CAPACITY",
            "GUILDKIT_MENTORSHIP_REQUEST_DAYS",
            "GUILDKIT_MENTEE_RETAINED_DAYS",
        ),
    )
    min_points = config["GUILDKIT_MENTOR_MIN_POINTS"]
    if not isinstance(min_points, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in min_points.items()
    ):
        raise ConfigurationError("GUILDKIT_MENTOR_MIN_POINTS must map point types to integers")
    check_optional_strings(config, ("GUILDKIT_MENTOR_BADGE",))
