"""What a chat message says: a :class:`Message` built from a guildkit change, before any
platform's formatting.

A message is a template of our own text with named values that come from users (display names,
badge and event titles). The renderers (:mod:`.render`) escape only the values, per platform,
so "Ada earned Gold Answerer" stays a sentence whatever a member calls themself. Names come
from the member's display name, else the host's ``@gk.user_info_loader``; badge level and role
names from ``gk.registry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from guildkit import BadgeChange, EventChange, GuildKit, LevelChange, MemberJoined, MentorshipChange, RoleChange


@dataclass(frozen=True)
class Message:
    event: str
    #: A ``str.format`` template of our own text; ``{name}`` fields are user-supplied values.
    template: str
    values: dict[str, str]
    #: A short heading (Discord's embed title).
    title: str
    color: int
    at: datetime
    details: dict[str, str] = field(default_factory=dict)

    @property
    def plain(self) -> str:
        return self.template.format(**self.values)


GREEN, GOLD, BLUE, PURPLE, GREY = 0x2ECC71, 0xF1C40F, 0x3498DB, 0x9B59B6, 0x95A5A6
TIER_COLORS = {"bronze": 0xCD7F32, "silver": 0xC0C0C0, "gold": GOLD}


def display_name(gk: GuildKit, user_id: str) -> str:
    try:
        name = gk.member(user_id).display_name
    except LookupError:
        name = None
    return name or gk.user_info(user_id).name


def member_joined(gk: GuildKit, member: MemberJoined) -> Message:
    return Message(
        "member_joined",
        "Welcome {member} to the community!",
        {"member": display_name(gk, member.user_id)},
        "New member",
        GREEN,
        gk.clock(),
    )


def badge_awarded(gk: GuildKit, change: BadgeChange) -> Message | None:
    badge = gk.registry.badges.get(change.badge)
    if badge is None:
        return None
    level = badge.levels[change.level - 1] if 0 < change.level <= len(badge.levels) else None
    details = {"description": level.description or badge.description} if level else {}
    return Message(
        "badge_awarded",
        "{member} earned {badge}",
        {"member": display_name(gk, change.user_id), "badge": badge.level_name(change.level)},
        "Badge earned",
        TIER_COLORS.get(level.tier if level else "", GOLD),
        gk.clock(),
        {k: v for k, v in details.items() if v},
    )


def role_granted(gk: GuildKit, change: RoleChange) -> Message | None:
    role = gk.registry.roles.get(change.role)
    if role is None:
        return None
    return Message(
        "role_granted",
        "{member} is now {role}",
        {"member": display_name(gk, change.user_id), "role": role.name},
        "New role",
        PURPLE,
        gk.clock(),
    )


def level_changed(gk: GuildKit, change: LevelChange) -> Message | None:
    if change.new_level <= change.old_level:
        return None  # going down a level is not news for a channel
    point_type = gk.registry.point_types.get(change.point_type)
    return Message(
        "level_changed",
        "{member} reached level {level}: {name} ({points})",
        {
            "member": display_name(gk, change.user_id),
            "level": str(change.new_level),
            "name": change.name or f"Level {change.new_level}",
            "points": point_type.name if point_type else change.point_type,
        },
        "Level up",
        BLUE,
        gk.clock(),
    )


def mentorship_changed(gk: GuildKit, change: MentorshipChange) -> Message | None:
    names = {"mentor": display_name(gk, change.mentor), "mentee": display_name(gk, change.mentee)}
    if change.new_state == "accepted":
        return Message(
            "mentorship_changed", "{mentor} is now mentoring {mentee}", names, "Mentorship", GREEN, gk.clock()
        )
    if change.new_state == "completed":
        return Message(
            "mentorship_changed",
            "{mentor} and {mentee} completed their mentorship",
            names,
            "Mentorship",
            GOLD,
            gk.clock(),
        )
    return None


def event_changed(gk: GuildKit, change: EventChange) -> Message | None:
    if change.change == "created":
        return Message("event_changed", "New event: {title}", {"title": change.title}, "Event", BLUE, gk.clock())
    if change.change == "cancelled":
        return Message("event_changed", "Event cancelled: {title}", {"title": change.title}, "Event", GREY, gk.clock())
    return None
