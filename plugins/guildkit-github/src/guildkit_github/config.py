"""The plugin's ``GUILDKIT_GITHUB_*`` config keys: defaults, validation, and the settings read from them.

``apply(app)`` runs from ``guildkit_init_app``: it sets each default with ``setdefault``, checks
every value (a bad one is a :class:`~guildkit.ConfigurationError` at start-up, naming the key)
and keeps the result in ``app.extensions["guildkit_github"]``. Everything else reads
:func:`settings_of` instead of ``app.config``, so the values are read once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from guildkit import ConfigurationError

EXTENSION_KEY = "guildkit_github"

#: Every key with its default (documented in the README's table).
DEFAULTS: dict[str, Any] = {
    "GUILDKIT_GITHUB_SECRET": None,
    "GUILDKIT_GITHUB_WEBHOOK_PATH": "/hooks/github",
    "GUILDKIT_GITHUB_MAX_BODY_BYTES": 1024 * 1024,
    "GUILDKIT_GITHUB_RESOLVE": None,
    "GUILDKIT_GITHUB_DEFAULT_RULES": None,
    "GUILDKIT_GITHUB_REPOSITORIES": None,
    "GUILDKIT_GITHUB_INCLUDE_PRIVATE": False,
    "GUILDKIT_GITHUB_PROFILE_LINKS": False,
    "GUILDKIT_GITHUB_API_URL": "https://api.github.com",
}

#: ``owner/repo`` or ``owner/*`` (GitHub owners: letters, digits, '-'; repositories also '.', '_').
REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,39}/(\*|[A-Za-z0-9._-]{1,100})$")

GitHubResolver = Callable[[Mapping[str, Any]], "str | int | None"]


@dataclass(frozen=True)
class GitHubSettings:
    """The plugin's settings for one app, checked."""

    secrets: tuple[bytes, ...]
    webhook_path: str
    max_body_bytes: int
    resolve: GitHubResolver | None
    default_rules: bool
    repositories: tuple[str, ...] | None
    include_private: bool
    profile_links: bool
    api_url: str

    @property
    def receiver_enabled(self) -> bool:
        return bool(self.secrets)

    def allows_repository(self, full_name: str, private: bool) -> bool:
        """Whether events from ``full_name`` are recorded (the allow list and the private switch)."""
        if private and not self.include_private:
            return False
        if self.repositories is None:
            return True
        owner = full_name.split("/", 1)[0].lower()
        return full_name.lower() in self.repositories or f"{owner}/*" in self.repositories


def _fail(key: str, problem: str, value: object) -> ConfigurationError:
    return ConfigurationError(f"{key} {problem}, got {value!r}", key=key)


def _secrets(value: object) -> tuple[bytes, ...]:
    key = "GUILDKIT_GITHUB_SECRET"
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str | bytes) else value
    if not isinstance(items, list | tuple) or not items:
        raise _fail(key, "must be a string (or a list of strings while you rotate secrets)", "<hidden>")
    secrets: list[bytes] = []
    for item in items:
        if not isinstance(item, str | bytes) or not item:
            raise _fail(key, "must hold non-empty strings only", type(item).__name__)
        secrets.append(item.encode() if isinstance(item, str) else item)
    return tuple(secrets)


def _flag(config: Mapping[str, Any], key: str) -> bool:
    value = config[key]
    if not isinstance(value, bool):
        raise _fail(key, "must be True or False", value)
    return value


def _repositories(value: object) -> tuple[str, ...] | None:
    key = "GUILDKIT_GITHUB_REPOSITORIES"
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise _fail(key, "must be a list of 'owner/repo' or 'owner/*' (or None for every repository)", value)
    for item in value:
        if not isinstance(item, str) or not REPOSITORY_PATTERN.match(item):
            raise _fail(key, "entries must look like 'owner/repo' or 'owner/*'", item)
    return tuple(sorted(item.lower() for item in value))


def read(config: Mapping[str, Any]) -> GitHubSettings:
    """Check the config values (defaults already applied) and build the settings."""
    secrets = _secrets(config["GUILDKIT_GITHUB_SECRET"])
    path = config["GUILDKIT_GITHUB_WEBHOOK_PATH"]
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or len(path) > 200:
        raise _fail("GUILDKIT_GITHUB_WEBHOOK_PATH", "must be a path starting with '/'", path)
    limit = config["GUILDKIT_GITHUB_MAX_BODY_BYTES"]
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1024:
        raise _fail("GUILDKIT_GITHUB_MAX_BODY_BYTES", "must be an integer of at least 1024", limit)
    resolve = config["GUILDKIT_GITHUB_RESOLVE"]
    if resolve is not None and not callable(resolve):
        raise _fail("GUILDKIT_GITHUB_RESOLVE", "must be a callable(github_user) -> user id or None", resolve)
    default_rules = config["GUILDKIT_GITHUB_DEFAULT_RULES"]
    if default_rules is not None and not isinstance(default_rules, bool):
        raise _fail(
            "GUILDKIT_GITHUB_DEFAULT_RULES", "must be None (on when a secret is set), True or False", default_rules
        )
    api_url = config["GUILDKIT_GITHUB_API_URL"]
    if not isinstance(api_url, str) or not api_url.startswith(("https://", "http://")):
        raise _fail("GUILDKIT_GITHUB_API_URL", "must be an http(s):// URL", api_url)
    return GitHubSettings(
        secrets=secrets,
        webhook_path=path,
        max_body_bytes=limit,
        resolve=resolve,
        default_rules=bool(secrets) if default_rules is None else default_rules,
        repositories=_repositories(config["GUILDKIT_GITHUB_REPOSITORIES"]),
        include_private=_flag(config, "GUILDKIT_GITHUB_INCLUDE_PRIVATE"),
        profile_links=_flag(config, "GUILDKIT_GITHUB_PROFILE_LINKS"),
        api_url=api_url.rstrip("/"),
    )


def apply(app: Flask) -> GitHubSettings:
    """Set the defaults on ``app.config``, check them and keep the settings on the app."""
    for key, default in DEFAULTS.items():
        app.config.setdefault(key, default)
    settings = read(app.config)
    app.extensions[EXTENSION_KEY] = settings
    return settings


def settings_of(app: Flask) -> GitHubSettings | None:
    """The app's settings, or ``None`` when the plugin was not set up on it."""
    settings = app.extensions.get(EXTENSION_KEY)
    return settings if isinstance(settings, GitHubSettings) else None
