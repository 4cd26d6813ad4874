"""Configuration keys. Each is read once, in ``init_app``, with ``app.config.setdefault``.

Every key is documented in ``docs/config.md``; a test keeps the two in step.
"""

from __future__ import annotations

import copy
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # guildkit's own database when no flask-sqlalchemy db is given (default: instance/guildkit.db).
    "GUILDKIT_DATABASE_URI": None,
    # Extra keyword arguments for create_engine() of that database.
    "GUILDKIT_ENGINE_OPTIONS": {},
    # The community's time zone: days for daily caps and streaks begin at its midnight.
    "GUILDKIT_TIMEZONE": "UTC",
    # A TOML or YAML file of point types, badges, roles and rules (see docs/rules.md).
    "GUILDKIT_RULES_FILE": None,
    # Load plugins from the "guildkit" entry-point group.
    "GUILDKIT_LOAD_ENTRY_POINTS": True,
    # Entry-point names to load (None: all installed) and to skip.
    "GUILDKIT_PLUGINS_ALLOW": None,
    "GUILDKIT_PLUGINS_DENY": [],
    # The most activities one record_many() call (or one batch API request) may carry.
    "GUILDKIT_BATCH_LIMIT": 1000,
    # Per-actor ingestion limits: {"*": "120/hour", "answer.upvoted": "40/day"} (None: no limits).
    "GUILDKIT_RATE_LIMITS": None,
    # Serial-voting detection: {"types": [...], "threshold": 10, "window_hours": 24, "lookback_days": 7}.
    "GUILDKIT_SERIAL_VOTING": None,
    # -- mentorship (see docs/mentorship.md) --
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
    # -- events (see docs/events.md) --
    # The permission needed to create events (None: any active member may).
    "GUILDKIT_EVENT_CREATE_PERMISSION": None,
    # Minutes before the start and after the end in which a check-in code works.
    "GUILDKIT_CHECKIN_WINDOW_MINUTES": 60,
    # -- trust levels and privileges (see docs/trust.md) --
    # Levels 0-4: names, and the activity criteria of levels 1-3 (default: Discourse's, see docs).
    "GUILDKIT_TRUST_LEVELS": None,
    # Days a level-3 member keeps the level after its criteria lapse.
    "GUILDKIT_TRUST_GRACE_DAYS": 14,
    # Privilege name -> requirement (trust_level, points, role or badge; a list means any of them).
    "GUILDKIT_PRIVILEGES": None,
    # -- moderation (see docs/moderation.md) --
    # Trust level -> how much a report counts (times its category's weight) towards a case's severity.
    "GUILDKIT_REPORT_TRUST_WEIGHTS": {0: 1, 1: 1, 2: 2, 3: 3, 4: 3},
    # Spam reports from this many trusted members hide the reported member's content (0: never).
    "GUILDKIT_HIDE_AFTER_SPAM_REPORTS": 3,
    # The trust level from which a spam report counts towards hiding.
    "GUILDKIT_HIDE_MIN_TRUST_LEVEL": 2,
    # -- community guidelines (see docs/guidelines.md) --
    # Members who have not accepted the current guidelines earn nothing until they do.
    "GUILDKIT_REQUIRE_GUIDELINES": False,
    # -- admin console (see docs/admin.md) --
    # Seconds between checks whether another process changed the console's badges or roles.
    "GUILDKIT_DEFINITIONS_CHECK_SECONDS": 1.0,
    # The largest badge image the console accepts, in bytes.
    "GUILDKIT_BADGE_IMAGE_MAX_BYTES": 256 * 1024,
    # -- community health analytics (see docs/analytics.md) --
    # Activity types (or patterns with '*') that are content, for "contributing members".
    "GUILDKIT_CONTENT_ACTIVITY_TYPES": ["*.posted", "*.created", "*.published"],
    # Activity types that are a reply to their target, for newcomers' time to first response.
    "GUILDKIT_REPLY_ACTIVITY_TYPES": ["answer.posted", "comment.posted", "reply.posted"],
    # Weights of activity types (or patterns, or '*' for the rest) for the engagement levels.
    "GUILDKIT_ENGAGEMENT_WEIGHTS": {"*": 1},
    # Days without activity after which a member active in the last 30 days is "at risk".
    "GUILDKIT_AT_RISK_IDLE_DAYS": 14,
}

NON_NEGATIVE_INTS = (
    "GUILDKIT_MENTOR_MIN_DAYS",
    "GUILDKIT_MENTOR_MAX_CAPACITY",
    "GUILDKIT_MENTORSHIP_REQUEST_DAYS",
    "GUILDKIT_MENTEE_RETAINED_DAYS",
    "GUILDKIT_CHECKIN_WINDOW_MINUTES",
    "GUILDKIT_TRUST_GRACE_DAYS",
    "GUILDKIT_HIDE_AFTER_SPAM_REPORTS",
)


def apply_defaults(app: Flask) -> None:
    from guildkit.trust import DEFAULT_LEVELS
    from guildkit.trust.privileges import DEFAULT_PRIVILEGES

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value.copy() if isinstance(value, dict | list) else value)
    # Structured defaults live with their features; None stands for them.
    if app.config["GUILDKIT_TRUST_LEVELS"] is None:
        app.config["GUILDKIT_TRUST_LEVELS"] = copy.deepcopy(DEFAULT_LEVELS)
    if app.config["GUILDKIT_PRIVILEGES"] is None:
        app.config["GUILDKIT_PRIVILEGES"] = copy.deepcopy(DEFAULT_PRIVILEGES)
    check(app.config)


def check(config: Any) -> None:
    try:
        ZoneInfo(config["GUILDKIT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"GUILDKIT_TIMEZONE {config['GUILDKIT_TIMEZONE']!r} is not a known time zone") from exc
    limit = config["GUILDKIT_BATCH_LIMIT"]
    if not isinstance(limit, int) or limit < 1:
        raise ConfigurationError("GUILDKIT_BATCH_LIMIT must be a positive integer")
    allow = config["GUILDKIT_PLUGINS_ALLOW"]
    if allow is not None and (isinstance(allow, str) or not all(isinstance(a, str) for a in allow)):
        raise ConfigurationError("GUILDKIT_PLUGINS_ALLOW must be None or a list of plugin names")
    deny = config["GUILDKIT_PLUGINS_DENY"]
    if isinstance(deny, str) or not all(isinstance(d, str) for d in deny):
        raise ConfigurationError("GUILDKIT_PLUGINS_DENY must be a list of plugin names")
    for key in NON_NEGATIVE_INTS:
        value = config[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigurationError(f"{key} must be a non-negative integer")
    min_points = config["GUILDKIT_MENTOR_MIN_POINTS"]
    if not isinstance(min_points, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in min_points.items()
    ):
        raise ConfigurationError("GUILDKIT_MENTOR_MIN_POINTS must map point types to integers")
    if not isinstance(config["GUILDKIT_REQUIRE_GUIDELINES"], bool):
        raise ConfigurationError("GUILDKIT_REQUIRE_GUIDELINES must be True or False")
    check_seconds = config["GUILDKIT_DEFINITIONS_CHECK_SECONDS"]
    if not isinstance(check_seconds, int | float) or isinstance(check_seconds, bool) or check_seconds < 0:
        raise ConfigurationError("GUILDKIT_DEFINITIONS_CHECK_SECONDS must be a non-negative number")
    image_max = config["GUILDKIT_BADGE_IMAGE_MAX_BYTES"]
    if not isinstance(image_max, int) or isinstance(image_max, bool) or image_max < 1:
        raise ConfigurationError("GUILDKIT_BADGE_IMAGE_MAX_BYTES must be a positive integer")
    for key in ("GUILDKIT_MENTOR_BADGE", "GUILDKIT_EVENT_CREATE_PERMISSION"):
        if config[key] is not None and not isinstance(config[key], str):
            raise ConfigurationError(f"{key} must be None or a string")
    check_moderation(config)
    from guildkit.ratelimit import parse_limits

    parse_limits(config["GUILDKIT_RATE_LIMITS"])
    from guildkit.moderation.abuse import SerialVoting

    SerialVoting.from_config(config["GUILDKIT_SERIAL_VOTING"])
    from guildkit.trust import parse_levels
    from guildkit.trust.privileges import parse_privileges

    parse_levels(config["GUILDKIT_TRUST_LEVELS"])
    from guildkit.analytics.settings import check as check_analytics

    check_analytics(config)
    parse_privileges(config["GUILDKIT_PRIVILEGES"])


def check_moderation(config: Any) -> None:
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
