"""The events endpoints can subscribe to, and what each delivery's ``data`` holds.

Each is one of guildkit's "being told" hooks; the event name is the hook's name without
``guildkit_``. The hook implementations here turn the change into plain JSON and hand it to
:func:`.outbox.enqueue_event` (after guildkit's commit; never an HTTP call in the request).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from guildkit import (
    BadgeChange,
    EventChange,
    GuildKit,
    LevelChange,
    MemberJoined,
    MentorshipChange,
    PointsChange,
    RoleChange,
    RsvpChange,
    hookimpl,
)

from .outbox import enqueue_event

#: Every event an endpoint may subscribe to (``"*"`` subscribes to all of them).
EVENTS: dict[str, str] = {
    "member_joined": "a host user became a community member",
    "points_changed": "a member's balance changed (one ledger row)",
    "badge_awarded": "a member earned a badge level",
    "badge_revoked": "a member lost a badge level",
    "role_granted": "a member was granted a role",
    "role_revoked": "a member lost a role",
    "level_changed": "a member's level for a point type went up or down",
    "mentorship_changed": "a mentorship changed state (requested, accepted, completed...)",
    "event_changed": "a community event was created, updated or cancelled",
    "rsvp_changed": "a member's RSVP to an event changed, or they were checked in",
}


def badge_data(gk: GuildKit, change: BadgeChange, activity_key: str) -> dict[str, Any]:
    """A badge change with the badge's and the level's display names from the registry."""
    data: dict[str, Any] = {**dataclasses.asdict(change), "activity_key": activity_key}
    badge = gk.registry.badges.get(change.badge)
    if badge is not None:
        level = badge.levels[change.level - 1] if 0 < change.level <= len(badge.levels) else None
        data.update(
            badge_name=badge.name, level_name=badge.level_name(change.level), tier=level.tier if level else None
        )
    return data


@hookimpl
def guildkit_member_joined(gk: GuildKit, member: MemberJoined) -> None:
    enqueue_event(gk, "member_joined", dataclasses.asdict(member))


@hookimpl
def guildkit_points_changed(gk: GuildKit, change: PointsChange, activity_key: str) -> None:
    enqueue_event(gk, "points_changed", {**dataclasses.asdict(change), "activity_key": activity_key})


@hookimpl
def guildkit_badge_awarded(gk: GuildKit, change: BadgeChange, activity_key: str) -> None:
    enqueue_event(gk, "badge_awarded", badge_data(gk, change, activity_key))


@hookimpl
def guildkit_badge_revoked(gk: GuildKit, change: BadgeChange, activity_key: str) -> None:
    enqueue_event(gk, "badge_revoked", badge_data(gk, change, activity_key))


@hookimpl
def guildkit_role_granted(gk: GuildKit, change: RoleChange, activity_key: str) -> None:
    enqueue_event(gk, "role_granted", {**dataclasses.asdict(change), "activity_key": activity_key})


@hookimpl
def guildkit_role_revoked(gk: GuildKit, change: RoleChange, activity_key: str) -> None:
    enqueue_event(gk, "role_revoked", {**dataclasses.asdict(change), "activity_key": activity_key})


@hookimpl
def guildkit_level_changed(gk: GuildKit, change: LevelChange, activity_key: str) -> None:
    enqueue_event(gk, "level_changed", {**dataclasses.asdict(change), "activity_key": activity_key})


@hookimpl
def guildkit_mentorship_changed(gk: GuildKit, change: MentorshipChange) -> None:
    enqueue_event(gk, "mentorship_changed", dataclasses.asdict(change))


@hookimpl
def guildkit_event_changed(gk: GuildKit, change: EventChange) -> None:
    enqueue_event(gk, "event_changed", dataclasses.asdict(change))


@hookimpl
def guildkit_rsvp_changed(gk: GuildKit, change: RsvpChange) -> None:
    enqueue_event(gk, "rsvp_changed", dataclasses.asdict(change))
