"""The plugin's ``GUILDKIT_WEBHOOKS_*`` config keys: defaults, validation, and a typed view.

Defaults are set with ``app.config.setdefault`` in ``guildkit_init_app`` and checked there, so
a bad value fails at start-up with a :class:`~guildkit.ConfigurationError` naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from guildkit import ConfigurationError

DEFAULTS: dict[str, Any] = {
    "GUILDKIT_WEBHOOKS_URL_PREFIX": "/guildkit/webhooks",
    "GUILDKIT_WEBHOOKS_WORKER": True,
    "GUILDKIT_WEBHOOKS_POLL_SECONDS": 5.0,
    "GUILDKIT_WEBHOOKS_TIMEOUT": 5.0,
    "GUILDKIT_WEBHOOKS_LEASE_SECONDS": None,
    "GUILDKIT_WEBHOOKS_MAX_ATTEMPTS": 8,
    "GUILDKIT_WEBHOOKS_BACKOFF_BASE": 30.0,
    "GUILDKIT_WEBHOOKS_BACKOFF_MAX": 3600.0,
    "GUILDKIT_WEBHOOKS_ROTATION_OVERLAP": 86400.0,
}


@dataclass(frozen=True)
class Settings:
    url_prefix: str | None
    #: Queue a job for each delivery (``gk.jobs``); ``False``: cron drains with ``flask webhooks deliver``.
    worker: bool
    #: How often the periodic ``guildkit_webhooks.deliver_due`` job runs (Celery beat).
    poll_seconds: float
    timeout: float
    #: Set by the host, else ``timeout + 60``: see :attr:`lease_seconds`.
    lease: float | None
    max_attempts: int
    backoff_base: float
    backoff_max: float
    #: Seconds an endpoint's previous secret still signs its deliveries after a rotation.
    rotation_overlap: float

    @property
    def lease_seconds(self) -> float:
        """How long a claimed delivery stays the claimer's before another worker may take it."""
        return self.lease if self.lease is not None else self.timeout + 60.0


def _number(config: Any, key: str, *, minimum: float, integer: bool = False) -> Any:
    value: Any = config[key]
    wrong_kind = isinstance(value, bool) or not isinstance(value, int if integer else int | float)
    if wrong_kind or value < minimum:
        kind = "an integer" if integer else "a number"
        raise ConfigurationError(f"{key} must be {kind} >= {minimum}, got {value!r}")
    return value


def apply_defaults(app: Flask) -> Settings:
    """Set the defaults on ``app.config`` and validate every key."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    return read(app.config)


def read(config: Any) -> Settings:
    prefix = config["GUILDKIT_WEBHOOKS_URL_PREFIX"]
    if prefix is not None and (not isinstance(prefix, str) or not prefix.startswith("/")):
        raise ConfigurationError(f"GUILDKIT_WEBHOOKS_URL_PREFIX must be a path starting with '/' or None: {prefix!r}")
    worker = config["GUILDKIT_WEBHOOKS_WORKER"]
    if not isinstance(worker, bool):
        raise ConfigurationError(f"GUILDKIT_WEBHOOKS_WORKER must be True or False, got {worker!r}")
    timeout = float(_number(config, "GUILDKIT_WEBHOOKS_TIMEOUT", minimum=0.01))
    lease = config["GUILDKIT_WEBHOOKS_LEASE_SECONDS"]
    if lease is not None:
        # A lease shorter than a send would let a second worker take a row still being sent.
        lease = float(_number(config, "GUILDKIT_WEBHOOKS_LEASE_SECONDS", minimum=timeout + 0.5))
    return Settings(
        url_prefix=None if prefix is None else prefix.rstrip("/"),
        worker=worker,
        poll_seconds=float(_number(config, "GUILDKIT_WEBHOOKS_POLL_SECONDS", minimum=0.01)),
        timeout=timeout,
        lease=lease,
        max_attempts=_number(config, "GUILDKIT_WEBHOOKS_MAX_ATTEMPTS", minimum=1, integer=True),
        backoff_base=float(_number(config, "GUILDKIT_WEBHOOKS_BACKOFF_BASE", minimum=0)),
        backoff_max=float(_number(config, "GUILDKIT_WEBHOOKS_BACKOFF_MAX", minimum=0)),
        rotation_overlap=float(_number(config, "GUILDKIT_WEBHOOKS_ROTATION_OVERLAP", minimum=0)),
    )


def current() -> Settings:
    """The settings of the current app."""
    return read(current_app.config)
