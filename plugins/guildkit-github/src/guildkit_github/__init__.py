"""GitHub activity for guildkit.

A plugin (entry point ``github`` in the ``guildkit`` group) with a webhook receiver that turns
merged pull requests, reviews, opened and closed issues and published releases into guildkit
activities of the linked member, verified with the webhook's shared secret and keyed by what
happened (repository, number, action, the event's time), so neither a redelivery nor the same
event from a second webhook awards anything twice. Inert until ``GUILDKIT_GITHUB_SECRET`` is set.

Where things live: ``config`` (keys), ``signature`` (HMAC), ``mapping`` (event -> activity),
``accounts`` (linked GitHub accounts), ``receiver`` (the route), ``rules`` (the default rule
set), ``cli`` (``flask github ...``), ``privacy`` (a member's export and erasure, re-exported
here). The other hooks are below.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from guildkit import BadgeDef, GuildKit, PageLink, PointTypeDef, hookimpl
from guildkit.rules import Rule

from . import accounts, config, rules
from .accounts import Account, LinkConflict, account_for_user, link, linked_accounts, unlink
from .cli import github_cli
from .mapping import (
    ACTIVITY_TYPES,
    ISSUE_CLOSED,
    ISSUE_OPENED,
    PULL_REQUEST_MERGED,
    RELEASE_PUBLISHED,
    REVIEW_SUBMITTED,
    PayloadError,
)
from .privacy import guildkit_member_erase, guildkit_member_export
from .receiver import make_blueprint
from .signature import sign, verify

__version__ = "0.1.0"

__all__ = [
    "ACTIVITY_TYPES",
    "ISSUE_CLOSED",
    "ISSUE_OPENED",
    "PULL_REQUEST_MERGED",
    "RELEASE_PUBLISHED",
    "REVIEW_SUBMITTED",
    "Account",
    "LinkConflict",
    "PayloadError",
    "account_for_user",
    "guildkit_init_app",
    "guildkit_member_erase",
    "guildkit_member_export",
    "guildkit_page_links",
    "guildkit_register_badges",
    "guildkit_register_point_types",
    "guildkit_register_rules",
    "guildkit_register_tables",
    "link",
    "linked_accounts",
    "sign",
    "unlink",
    "verify",
]


def _default_rules_on() -> bool:
    # The registry is built inside an app context (guildkit reads it from current_app).
    settings = config.settings_of(current_app)
    return settings is not None and settings.default_rules


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    settings = config.apply(app)
    app.cli.add_command(github_cli)
    if settings.receiver_enabled:
        app.register_blueprint(make_blueprint(settings))


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> list[sa.MetaData]:
    return [accounts.metadata]


@hookimpl
def guildkit_register_point_types(gk: GuildKit) -> list[PointTypeDef]:
    return rules.point_types() if _default_rules_on() else []


@hookimpl
def guildkit_register_badges(gk: GuildKit) -> list[BadgeDef]:
    return rules.badges() if _default_rules_on() else []


@hookimpl
def guildkit_register_rules(gk: GuildKit) -> list[Rule]:
    return rules.rules() if _default_rules_on() else []


@hookimpl
def guildkit_page_links(gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None) -> Iterable[PageLink]:
    settings = config.settings_of(current_app)
    if page != "member" or settings is None or not settings.profile_links:
        return []
    account = account_for_user(gk, subject["user_id"])
    if account is None or not account.login:
        return []
    return [PageLink(f"GitHub: @{account.login}", f"https://github.com/{account.login}")]
