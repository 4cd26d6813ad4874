"""The plugin's hooks: set-up, its bucket table, and the events it announces.

Each "being told" hook builds a :class:`~.messages.Message` and, for every configured target
that wants the event, takes a rate-limit token and queues the platform's JSON through
guildkit-webhooks (:func:`guildkit_webhooks.insert_raw_delivery`) in one transaction, then
hands each delivery to guildkit-webhooks' jobs (``gk.jobs``: threads, or Celery workers),
which send it with their retries and log. Never an HTTP call in the host's request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask, current_app
from guildkit import (
    BadgeChange,
    ConfigurationError,
    EventChange,
    GuildKit,
    LevelChange,
    MemberJoined,
    MentorshipChange,
    RoleChange,
    hookimpl,
)

import guildkit_webhooks

from . import messages
from .messages import Message
from .ratelimit import metadata, take
from .render import render
from .targets import CONFIG_KEY, Target, parse_targets

log = logging.getLogger("guildkit.chat")

STATE_KEY = "guildkit_chat"


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    app.config.setdefault(CONFIG_KEY, [])
    targets = parse_targets(app.config[CONFIG_KEY])
    if targets and not gk.pm.is_registered(guildkit_webhooks):
        raise ConfigurationError(
            f"{CONFIG_KEY} is set but the guildkit-webhooks plugin, which delivers chat messages, is not registered"
        )
    app.extensions[STATE_KEY] = targets


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.MetaData]:
    return [metadata]


def targets() -> tuple[Target, ...]:
    found: tuple[Target, ...] = current_app.extensions.get(STATE_KEY, ())
    return found


def announce(gk: GuildKit, message: Message | None) -> list[str]:
    """Queue ``message`` for every target that wants it (within its rate); returns delivery ids."""
    if message is None:
        return []
    chosen = [target for target in targets() if target.wants(message.event)]
    if not chosen:
        return []
    now = gk.clock()

    def body(conn: sa.Connection) -> tuple[list[str], list[Target]]:
        queued, dropped = [], []
        for target in chosen:
            decision = take(conn, target.key, target.per_minute, now)
            if not decision.allowed:
                dropped.append(target)
                continue
            queued.append(
                guildkit_webhooks.insert_raw_delivery(
                    conn,
                    url=target.url,
                    body=render(target.platform, message, decision.suppressed),
                    event=message.event,
                    source=f"chat:{target.platform}",
                    now=now,
                )
            )
        return queued, dropped

    queued: list[str]
    dropped: list[Target]
    queued, dropped = gk.store.run_write(body)
    for target in dropped:
        log.info(
            "guildkit chat: %s message dropped by the rate limit (%d/min): %s",
            target.platform,
            target.per_minute,
            message.plain,
        )
    if queued:
        guildkit_webhooks.wake_worker(queued)
    return queued


@hookimpl
def guildkit_member_joined(gk: GuildKit, member: MemberJoined) -> None:
    announce(gk, messages.member_joined(gk, member))


@hookimpl
def guildkit_badge_awarded(gk: GuildKit, change: BadgeChange, activity_key: str) -> None:
    announce(gk, messages.badge_awarded(gk, change))


@hookimpl
def guildkit_role_granted(gk: GuildKit, change: RoleChange, activity_key: str) -> None:
    announce(gk, messages.role_granted(gk, change))


@hookimpl
def guildkit_level_changed(gk: GuildKit, change: LevelChange, activity_key: str) -> None:
    announce(gk, messages.level_changed(gk, change))


@hookimpl
def guildkit_mentorship_changed(gk: GuildKit, change: MentorshipChange) -> None:
    announce(gk, messages.mentorship_changed(gk, change))


@hookimpl
def guildkit_event_changed(gk: GuildKit, change: EventChange) -> None:
    announce(gk, messages.event_changed(gk, change))
