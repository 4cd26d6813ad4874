"""The core's configuration keys. Each is read once, in ``init_app``, with ``app.config.setdefault``.

Features contribute their own keys with their defaults (``guildkit_register_config``) and check
them in their ``guildkit_init_app``, with the helpers here. Every key, the core's and the
features', is documented in ``docs/config.md``; a test keeps the two in step.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # guildkit's own database when no flask-sqlalchemy db is given (default: instance/guildkit.db).
    "GUILDKIT_DATABASE_URI": None,
    # Extra keyword arguments for create_engine() of that database.
    "GUILDKIT_ENGINE_OPTIONS": {},
    # A read replica for reads that may lag (leaderboards, analytics); None: read the primary.
    "GUILDKIT_READ_DATABASE_URI": None,
    # Extra keyword arguments for create_engine() of the read replica.
    "GUILDKIT_READ_ENGINE_OPTIONS": {},
    # The community's time zone: days for daily caps and streaks begin at its midnight.
    "GUILDKIT_TIMEZONE": "UTC",
    # A TOML or YAML file of point types, badges, roles and rules (see docs/rules.md).
    "GUILDKIT_RULES_FILE": None,
    # Load plugins from the "guildkit" entry-point group.
    "GUILDKIT_LOAD_ENTRY_POINTS": True,
    # Entry-point names to load (None: all installed), and plugins to skip: entry-point names
    # or guildkit's own features ("guildkit.mentorship", ...).
    "GUILDKIT_PLUGINS_ALLOW": None,
    "GUILDKIT_PLUGINS_DENY": [],
    # The most activities one record_many() call (or one batch API request) may carry.
    "GUILDKIT_BATCH_LIMIT": 1000,
    # Per-actor ingestion limits: {"*": "120/hour", "answer.upvoted": "40/day"} (None: no limits).
    "GUILDKIT_RATE_LIMITS": None,
    # Seconds between checks whether another process changed definitions stored in the database.
    "GUILDKIT_DEFINITIONS_CHECK_SECONDS": 1.0,
    # Security headers on guildkit's own pages and API (guildkit.web.headers); False: none.
    "GUILDKIT_SECURITY_HEADERS": True,
    # Its Content-Security-Policy (None: none). The pages need no script: their own stylesheet,
    # their badge images, avatars from any HTTPS site, forms that post back to the site.
    "GUILDKIT_CONTENT_SECURITY_POLICY": (
        "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'"
    ),
    # Who may frame guildkit's pages: the CSP frame-ancestors sources ("'self'", origins; None: anyone).
    "GUILDKIT_FRAME_ANCESTORS": "'none'",
    # Role slugs whose holders are left off every leaderboard and out of everyone's rank (["staff"]).
    "GUILDKIT_LEADERBOARD_EXCLUDED_ROLES": [],
}


def apply_defaults(app: Flask, defaults: Mapping[str, Any] = DEFAULTS) -> None:
    """``setdefault`` each key; dict and list defaults are copied, so apps never share them."""
    for key, value in defaults.items():
        app.config.setdefault(key, copy.deepcopy(value) if isinstance(value, dict | list) else value)


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
    check_seconds = config["GUILDKIT_DEFINITIONS_CHECK_SECONDS"]
    if not isinstance(check_seconds, int | float) or isinstance(check_seconds, bool) or check_seconds < 0:
        raise ConfigurationError("GUILDKIT_DEFINITIONS_CHECK_SECONDS must be a non-negative number")
    if not isinstance(config["GUILDKIT_SECURITY_HEADERS"], bool):
        raise ConfigurationError("GUILDKIT_SECURITY_HEADERS must be True or False")
    check_optional_strings(
        config, ("GUILDKIT_CONTENT_SECURITY_POLICY", "GUILDKIT_FRAME_ANCESTORS", "GUILDKIT_READ_DATABASE_URI")
    )
    if not isinstance(config["GUILDKIT_READ_ENGINE_OPTIONS"], dict):
        raise ConfigurationError("GUILDKIT_READ_ENGINE_OPTIONS must be a dict of create_engine() arguments")
    excluded = config["GUILDKIT_LEADERBOARD_EXCLUDED_ROLES"]
    if not isinstance(excluded, list | tuple | set | frozenset) or not all(isinstance(r, str) for r in excluded):
        raise ConfigurationError("GUILDKIT_LEADERBOARD_EXCLUDED_ROLES must be a list of role slugs")
    from guildkit.ratelimit import parse_limits

    parse_limits(config["GUILDKIT_RATE_LIMITS"])


# -- helpers for the features' checks --------------------------------------------------------


def check_non_negative_ints(config: Any, keys: Iterable[str]) -> None:
    for key in keys:
        value = config[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigurationError(f"{key} must be a non-negative integer")


def check_optional_strings(config: Any, keys: Iterable[str]) -> None:
    for key in keys:
        if config[key] is not None and not isinstance(config[key], str):
            raise ConfigurationError(f"{key} must be None or a string")
