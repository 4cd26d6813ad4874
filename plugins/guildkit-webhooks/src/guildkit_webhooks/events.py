"""The events endpoints can subscribe to, and what each delivery's ``data`` holds.

Each is one of guildkit's "being told" hooks; the event name is the hook's name without
``guildkit_``. The hook implementations here turn the change into plain JSON and hand it to
:func:`.outbox.enqueue_event` (after guildkit's commit; never an HTTP call in the request).

The hooks of guildkit's features (mentorship, events, groups, kudos …) are implemented as
*optional*: a host may switch a feature off (``GUILDKIT_PLUGINS_DENY``), or run a guildkit
without it, and the plugin still loads; that feature's events are then never sent. The records
of the newer features are not part of guildkit's public API, so their ``data`` is read from
them by attribute, field by field (:data:`FEATURE_FIELDS`): a stable, documented shape.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
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

from .outbox import enqueue_event, isoformat

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
    "group_joined": "a member joined a group",
    "group_goal_reached": "a group reached one of its goals for a period",
    "kudos_given": "a member gave another kudos",
    "nomination_decided": "a nomination was approved, rejected, withdrawn or expired",
    "challenge_completed": "a member or a group completed a challenge",
    "objective_decided": "a community objective reached its due date: met or missed",
}

#: What ``data`` holds for the events of the features whose records guildkit does not export:
#: these attributes of the hook's record, in this order. Datetimes are sent as ISO 8601 in UTC
#: to the second (``2026-01-05T12:00:00Z``), dates as ``2026-01-05``.
FEATURE_FIELDS: dict[str, tuple[str, ...]] = {
    "group_joined": ("group_id", "group_slug", "group_name", "user_id", "member_id", "role", "via", "by"),
    "group_goal_reached": (
        "group_id",
        "group_slug",
        "group_name",
        "goal_id",
        "goal_name",
        "activity_type",
        "target",
        "count",
        "period_start",
        "period_end",
        "reached_at",
        "badge",
    ),
    "kudos_given": ("kudos_id", "giver", "receiver", "message", "given_at", "period", "activity_key"),
    "nomination_decided": (
        "nomination_id",
        "nominee",
        "nominator",
        "badge",
        "level",
        "state",
        "by",
        "reason",
        "approvals",
        "needed",
        "award_key",
    ),
    "challenge_completed": (
        "challenge_id",
        "title",
        "participant_id",
        "user_id",
        "group_id",
        "completed_at",
        "reward_points",
        "reward_point_type",
        "badge",
    ),
    "objective_decided": (
        "objective_id",
        "title",
        "kpi",
        "unit",
        "direction",
        "target",
        "baseline",
        "value",
        "outcome",
        "starts_on",
        "due_on",
        "owner",
        "decided_at",
    ),
}

#: Text a member wrote, in an event's ``data``: ``event -> (the field naming its author, the text's
#: field)``. Erasing the author empties it (:mod:`.privacy`), as the feature does with its own copy.
WRITTEN_BY: dict[str, tuple[str, str]] = {
    "kudos_given": ("giver", "message"),
    "nomination_decided": ("by", "reason"),
}


def _plain(value: object) -> object:
    """``value`` as JSON: datetimes (naive ones are guildkit's UTC) and dates as ISO 8601."""
    if isinstance(value, datetime):
        return isoformat(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return value.isoformat()
    return value


def feature_data(event: str, record: object) -> dict[str, Any]:
    """The ``data`` of a feature's event: the fields :data:`FEATURE_FIELDS` names, read from ``record``."""
    return {name: _plain(getattr(record, name)) for name in FEATURE_FIELDS[event]}


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


# -- the features' events: optional hooks, sent only while the feature is on --------------


@hookimpl(optionalhook=True)
def guildkit_mentorship_changed(gk: GuildKit, change: MentorshipChange) -> None:
    enqueue_event(gk, "mentorship_changed", dataclasses.asdict(change))


@hookimpl(optionalhook=True)
def guildkit_event_changed(gk: GuildKit, change: EventChange) -> None:
    enqueue_event(gk, "event_changed", dataclasses.asdict(change))


@hookimpl(optionalhook=True)
def guildkit_rsvp_changed(gk: GuildKit, change: RsvpChange) -> None:
    enqueue_event(gk, "rsvp_changed", dataclasses.asdict(change))


@hookimpl(optionalhook=True)
def guildkit_group_joined(gk: GuildKit, joined: object) -> None:
    enqueue_event(gk, "group_joined", feature_data("group_joined", joined))


@hookimpl(optionalhook=True)
def guildkit_group_goal_reached(gk: GuildKit, reached: object) -> None:
    enqueue_event(gk, "group_goal_reached", feature_data("group_goal_reached", reached))


@hookimpl(optionalhook=True)
def guildkit_kudos_given(gk: GuildKit, kudos: object) -> None:
    enqueue_event(gk, "kudos_given", feature_data("kudos_given", kudos))


@hookimpl(optionalhook=True)
def guildkit_nomination_decided(gk: GuildKit, decision: object) -> None:
    enqueue_event(gk, "nomination_decided", feature_data("nomination_decided", decision))


@hookimpl(optionalhook=True)
def guildkit_challenge_completed(gk: GuildKit, completion: object) -> None:
    enqueue_event(gk, "challenge_completed", feature_data("challenge_completed", completion))


@hookimpl(optionalhook=True)
def guildkit_objective_decided(gk: GuildKit, decision: object) -> None:
    enqueue_event(gk, "objective_decided", feature_data("objective_decided", decision))
