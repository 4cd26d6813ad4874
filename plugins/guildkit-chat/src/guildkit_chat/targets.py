"""``GUILDKIT_CHAT_TARGETS``: where messages go, for which events, and how many a minute.

.. code-block:: python

    GUILDKIT_CHAT_TARGETS = [
        {"platform": "slack", "url": "https://hooks.slack.com/services/…", "events": ["badge_awarded"]},
        {"platform": "discord", "url": "https://discord.com/api/webhooks/…", "events": ["*"], "per_minute": 10},
    ]

Read once in ``init_app``; a bad entry fails start-up with a ``ConfigurationError`` naming it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from guildkit import ConfigurationError, ValidationError

from guildkit_webhooks.outbox import check_url

CONFIG_KEY = "GUILDKIT_CHAT_TARGETS"
PLATFORMS = ("slack", "discord")
ALL_EVENTS = "*"
DEFAULT_PER_MINUTE = 20

#: The events chat can announce (revocations and point changes are left out on purpose: they
#: are either private matters or too frequent for a channel).
CHAT_EVENTS: dict[str, str] = {
    "member_joined": "welcome a new member",
    "badge_awarded": "a member earned a badge level",
    "role_granted": "a member was granted a role",
    "level_changed": "a member reached a higher level",
    "mentorship_changed": "a mentorship was accepted or completed",
    "event_changed": "a community event was created or cancelled",
}


@dataclass(frozen=True)
class Target:
    platform: str
    url: str
    events: frozenset[str]
    per_minute: int

    @property
    def key(self) -> str:
        """A stable id for the rate-limit bucket that does not reveal the (secret) URL."""
        return hashlib.sha256(f"{self.platform}|{self.url}".encode()).hexdigest()[:32]

    def wants(self, event: str) -> bool:
        return ALL_EVENTS in self.events or event in self.events


def parse_targets(raw: object) -> tuple[Target, ...]:
    if not isinstance(raw, list | tuple):
        raise ConfigurationError(f"{CONFIG_KEY} must be a list of targets, got {raw!r}")
    return tuple(_parse(index, entry) for index, entry in enumerate(raw))


def _parse(index: int, entry: object) -> Target:
    where = f"{CONFIG_KEY}[{index}]"
    if not isinstance(entry, dict):
        raise ConfigurationError(f"{where} must be a dict with platform, url and events")
    unknown = sorted(set(entry) - {"platform", "url", "events", "per_minute"})
    if unknown:
        raise ConfigurationError(f"{where} has unknown keys: {', '.join(unknown)}")
    platform = entry.get("platform")
    if platform not in PLATFORMS:
        raise ConfigurationError(f"{where}.platform must be one of {', '.join(PLATFORMS)}, got {platform!r}")
    try:
        url = check_url(entry.get("url"))
    except ValidationError as exc:
        raise ConfigurationError(f"{where}.{exc.message}") from None
    events = entry.get("events")
    if isinstance(events, str) or not isinstance(events, list | tuple) or not events:
        raise ConfigurationError(f"{where}.events must be a non-empty list of event names")
    unknown_events = [e for e in events if e != ALL_EVENTS and e not in CHAT_EVENTS]
    if unknown_events:
        raise ConfigurationError(
            f"{where}.events: unknown {', '.join(map(repr, unknown_events))}; "
            f"use some of {', '.join(CHAT_EVENTS)} or '*'"
        )
    per_minute: Any = entry.get("per_minute", DEFAULT_PER_MINUTE)
    if isinstance(per_minute, bool) or not isinstance(per_minute, int) or not 1 <= per_minute <= 10_000:
        raise ConfigurationError(f"{where}.per_minute must be an integer from 1 to 10000, got {per_minute!r}")
    return Target(platform, url, frozenset(events), per_minute)
