"""The notifications feature's keys: ``GUILDKIT_NOTIFICATIONS_*`` (preferences and the email
jobs) and ``GUILDKIT_EMAIL_*`` (how email is sent). Defaults and checks; documented in
docs/config.md and docs/notifications.md.

Email is off until the host sets ``GUILDKIT_EMAIL_FROM`` and a way to send: an SMTP server
(``GUILDKIT_EMAIL_SMTP_HOST`` …) or a ``GUILDKIT_EMAIL_SEND`` callable.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from guildkit.errors import ConfigurationError
from guildkit.notifications.hookspecs import DELIVERIES

SECURITY = ("starttls", "ssl", "none")

DEFAULTS: dict[str, Any] = {
    # {kind: "off" | "app" | "email" | "digest"}: the delivery of a kind until a member chooses.
    "GUILDKIT_NOTIFICATIONS_DEFAULTS": {},
    # A notification is emailed once it is this old (seconds) and still unread: one read in the
    # app meanwhile, or an award taken back meanwhile, is not emailed.
    "GUILDKIT_NOTIFICATIONS_EMAIL_DELAY": 60,
    # After an activity is recorded, each process queues at most one send job per this many
    # seconds; None: never (the periodic job and cron do it all).
    "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS": 5.0,
    # Emails one run of a job sends at most before it queues another run.
    "GUILDKIT_NOTIFICATIONS_BATCH_SIZE": 100,
    # Tries per email (the SMTP server down, a 4xx answer) before it is given up as failed.
    "GUILDKIT_NOTIFICATIONS_MAX_ATTEMPTS": 5,
    # The sender, "Community <community@example.org>". None: no email at all.
    "GUILDKIT_EMAIL_FROM": None,
    # The site's address for the links in emails, "https://example.org" (else Flask's SERVER_NAME).
    "GUILDKIT_EMAIL_SITE_URL": None,
    # callable(user_id) -> str | None: a member's email address (None: they get no email).
    "GUILDKIT_EMAIL_ADDRESS_LOADER": None,
    # callable(email.message.EmailMessage) -> None, instead of SMTP (a Flask-Mail-like sender).
    "GUILDKIT_EMAIL_SEND": None,
    "GUILDKIT_EMAIL_SMTP_HOST": None,
    # None: 587 with starttls, 465 with ssl, 25 with none.
    "GUILDKIT_EMAIL_SMTP_PORT": None,
    "GUILDKIT_EMAIL_SMTP_USERNAME": None,
    "GUILDKIT_EMAIL_SMTP_PASSWORD": None,
    "GUILDKIT_EMAIL_SMTP_SECURITY": "starttls",
    "GUILDKIT_EMAIL_SMTP_TIMEOUT": 10.0,
}


def _number(config: Any, name: str, *, integer: bool = False, low: float = 0, none: bool = False) -> None:
    value = config[name]
    if value is None and none:
        return
    wrong = isinstance(value, bool) or not isinstance(value, int if integer else int | float)
    if wrong or value < low:
        what = "an integer" if integer else "a number"
        raise ConfigurationError(f"{name} must be {what} of at least {low}{' or None' if none else ''}, got {value!r}")


def _text(config: Any, name: str) -> None:
    value = config[name]
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigurationError(f"{name} must be text or None, got {value!r}")


def check(config: Any) -> None:
    defaults = config["GUILDKIT_NOTIFICATIONS_DEFAULTS"]
    if not isinstance(defaults, dict) or not all(isinstance(k, str) and v in DELIVERIES for k, v in defaults.items()):
        raise ConfigurationError(f"GUILDKIT_NOTIFICATIONS_DEFAULTS must map kinds to one of {DELIVERIES}")
    _number(config, "GUILDKIT_NOTIFICATIONS_EMAIL_DELAY")
    _number(config, "GUILDKIT_NOTIFICATIONS_WAKE_SECONDS", none=True)
    _number(config, "GUILDKIT_NOTIFICATIONS_BATCH_SIZE", integer=True, low=1)
    _number(config, "GUILDKIT_NOTIFICATIONS_MAX_ATTEMPTS", integer=True, low=1)
    _number(config, "GUILDKIT_EMAIL_SMTP_TIMEOUT", low=0.1)
    _number(config, "GUILDKIT_EMAIL_SMTP_PORT", integer=True, low=1, none=True)
    for name in ("GUILDKIT_EMAIL_FROM", "GUILDKIT_EMAIL_SMTP_HOST", "GUILDKIT_EMAIL_SMTP_USERNAME"):
        _text(config, name)
    for name in ("GUILDKIT_EMAIL_ADDRESS_LOADER", "GUILDKIT_EMAIL_SEND"):
        if config[name] is not None and not callable(config[name]):
            raise ConfigurationError(f"{name} must be a callable or None")
    if config["GUILDKIT_EMAIL_SMTP_SECURITY"] not in SECURITY:
        raise ConfigurationError(f"GUILDKIT_EMAIL_SMTP_SECURITY must be one of {SECURITY}")
    site = config["GUILDKIT_EMAIL_SITE_URL"]
    if site is not None and (not isinstance(site, str) or urlsplit(site).scheme not in ("http", "https")):
        raise ConfigurationError(f"GUILDKIT_EMAIL_SITE_URL must be an http(s) address, got {site!r}")
    _check_email(config)


def _check_email(config: Any) -> None:
    """With a sender set, everything an email needs is set too, so no job fails on it later."""
    sender = config["GUILDKIT_EMAIL_FROM"]
    transport = config["GUILDKIT_EMAIL_SMTP_HOST"] is not None or config["GUILDKIT_EMAIL_SEND"] is not None
    if sender is None:
        if transport:
            raise ConfigurationError("set GUILDKIT_EMAIL_FROM (the sender's address) to send email")
        return
    if not transport:
        raise ConfigurationError("GUILDKIT_EMAIL_FROM is set: set GUILDKIT_EMAIL_SMTP_HOST or GUILDKIT_EMAIL_SEND too")
    if not config.get("SECRET_KEY"):
        raise ConfigurationError("email needs Flask's SECRET_KEY: it signs the unsubscribe links")
    if config["GUILDKIT_EMAIL_SITE_URL"] is None and not config.get("SERVER_NAME"):
        raise ConfigurationError("email needs GUILDKIT_EMAIL_SITE_URL (or SERVER_NAME) for the links it carries")
