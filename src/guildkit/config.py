"""The core's configuration keys. Each is read once, in ``init_app``, with ``app.config.setdefault``.

Features contribute their own keys with their defaults (``guildkit_register_config``) and check
them in their ``guildkit_init_app``, with the helpers here. Every key, the core's and the
features', is documented in ``docs/config.md``; a test keeps the two in step.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

from guildkit.errors import ConfigurationError
from guildkit.text import problem

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
    # What the pages' layout shows of the host site (guildkit.web.host): its name, a link home,
    # sign-in, sign-up and sign-out (each an endpoint name or a URL), and links of its navigation.
    "GUILDKIT_HOST_NAME": None,
    "GUILDKIT_HOST_HOME_URL": None,
    "GUILDKIT_HOST_SIGN_IN_URL": None,
    "GUILDKIT_HOST_SIGN_UP_URL": None,
    "GUILDKIT_HOST_SIGN_OUT_URL": None,
    # "POST": sign-out is a form (a GET would let any site sign members out), with the host's CSRF
    # token (a callable, or "module:attribute") in the field named here; "GET": a plain link.
    "GUILDKIT_HOST_SIGN_OUT_METHOD": "POST",
    "GUILDKIT_HOST_CSRF_FIELD": "csrf_token",
    "GUILDKIT_HOST_CSRF_TOKEN": None,
    # [{"label": "Questions", "endpoint": "qa.index"}, {"label": "Blog", "url": "https://..."}]
    "GUILDKIT_HOST_NAV": [],
    # How many links the community's navigation row shows (Home, Members, Badges and Leaderboards
    # count); features' links beyond them go in its "More" menu, so the row fits one line.
    "GUILDKIT_NAV_LINKS": 8,
    # A callable (or "module:attribute") called for each page, returning the same per request or
    # per user: {"name": ..., "sign_in_url": ..., "nav": [...]} (see docs/host-integration.md).
    "GUILDKIT_HOST_LOADER": None,
}


T = TypeVar("T")


def parsed(key: str, parse: Callable[[Any], T]) -> T:
    """``parse(app.config[key])``, kept in ``app.extensions`` for as long as the key holds the
    same value (a page asks for the trust levels or the privileges a dozen times; a test that
    sets a new value is seen at once)."""
    raw = current_app.config[key]
    kept = current_app.extensions.get(f"guildkit.parsed:{key}")
    if kept is None or kept[0] is not raw:
        kept = current_app.extensions[f"guildkit.parsed:{key}"] = (raw, parse(raw))
    return kept[1]


def apply_defaults(app: Flask, defaults: Mapping[str, Any] = DEFAULTS) -> None:
    """``setdefault`` each key; dict and list defaults are copied, so apps never share them."""
    for key, value in defaults.items():
        app.config.setdefault(key, copy.deepcopy(value) if isinstance(value, dict | list) else value)


def check(config: Any) -> None:
    try:
        ZoneInfo(config["GUILDKIT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"GUILDKIT_TIMEZONE {config['GUILDKIT_TIMEZONE']!r} is not a known time zone") from exc
    for key in ("GUILDKIT_BATCH_LIMIT", "GUILDKIT_NAV_LINKS"):
        if not isinstance(config[key], int) or isinstance(config[key], bool) or config[key] < 1:
            raise ConfigurationError(f"{key} must be a positive integer")
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
    check_host(config)
    from guildkit.ratelimit import parse_limits

    parse_limits(config["GUILDKIT_RATE_LIMITS"])


# -- the host site, as the pages' layout shows it ----------------------------------------------

#: Host keys that name a page: an endpoint name or a URL.
HOST_TARGETS = (
    "GUILDKIT_HOST_HOME_URL",
    "GUILDKIT_HOST_SIGN_IN_URL",
    "GUILDKIT_HOST_SIGN_UP_URL",
    "GUILDKIT_HOST_SIGN_OUT_URL",
)
_ENDPOINT = re.compile(r"\.?[A-Za-z_][\w.]*")


def check_host(config: Any) -> None:
    if config["GUILDKIT_HOST_NAME"] is not None:
        check_host_label(config["GUILDKIT_HOST_NAME"], "GUILDKIT_HOST_NAME")
    for key in HOST_TARGETS:
        if config[key] is not None:
            check_host_target(config[key], key)
    if config["GUILDKIT_HOST_SIGN_OUT_METHOD"] not in ("GET", "POST"):
        raise ConfigurationError('GUILDKIT_HOST_SIGN_OUT_METHOD must be "POST" or "GET"')
    field = config["GUILDKIT_HOST_CSRF_FIELD"]
    if not isinstance(field, str) or not re.fullmatch(r"[\w.-]+", field):
        raise ConfigurationError("GUILDKIT_HOST_CSRF_FIELD must be a form field name")
    for key in ("GUILDKIT_HOST_CSRF_TOKEN", "GUILDKIT_HOST_LOADER"):
        check_callable(config[key], key)
    check_host_nav(config["GUILDKIT_HOST_NAV"], "GUILDKIT_HOST_NAV")


def check_host_label(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100 or problem(value, one_line=True):
        raise ConfigurationError(f"{key} must be one line of text (1-100 characters), got {value!r}")
    return value


def check_host_target(value: object, key: str) -> str:
    """An endpoint name (``"auth.login"``), a path on the site or an ``http(s)://`` URL: never
    ``javascript:`` or a ``//host`` that browsers read as another site."""
    if isinstance(value, str) and (is_host_url(value) or _ENDPOINT.fullmatch(value)):
        return value
    raise ConfigurationError(f'{key} must be an endpoint name ("auth.login"), a path ("/login") or an http(s) URL')


def is_host_url(value: str) -> bool:
    """A path on the site or an ``http(s)://`` URL, on one line (endpoint names are not)."""
    shaped = value.startswith(("https://", "http://")) or (value.startswith("/") and not value.startswith("//"))
    return shaped and "\\" not in value and len(value) <= 2000 and problem(value, one_line=True) is None


def check_host_nav(value: object, key: str) -> None:
    """A list of ``{"label": ..., "url": ...}`` or ``{"label": ..., "endpoint": ...}``."""
    if not isinstance(value, list | tuple):
        raise ConfigurationError(f"{key} must be a list of links ({{'label': ..., 'url' or 'endpoint': ...}})")
    for n, item in enumerate(value):
        where = f"{key}[{n}]"
        if not isinstance(item, Mapping) or set(item) - {"label", "url", "endpoint"}:
            raise ConfigurationError(f"{where} must be a dict with 'label' and 'url' or 'endpoint', got {item!r}")
        check_host_label(item.get("label"), f"{where}['label']")
        if ("url" in item) == ("endpoint" in item):
            raise ConfigurationError(f"{where} needs either 'url' or 'endpoint'")
        target = item.get("url", item.get("endpoint"))
        if not isinstance(target, str) or not (is_host_url(target) if "url" in item else _ENDPOINT.fullmatch(target)):
            raise ConfigurationError(
                f"{where}['url'] must be a path or an http(s) URL"
                if "url" in item
                else f"{where}['endpoint'] must be an endpoint name"
            )


def check_callable(value: object, key: str) -> None:
    """``None``, a callable, or ``"module:attribute"`` naming one (imported on first use)."""
    if value is None or callable(value):
        return
    if not isinstance(value, str) or not re.fullmatch(r"[\w.]+:[\w.]+", value):
        raise ConfigurationError(f'{key} must be a callable or "module:attribute" naming one, got {value!r}')


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
