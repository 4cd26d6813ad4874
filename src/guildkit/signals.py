"""blinker signals: announcements of what happened, sent after the transaction commits.

Each signal is sent with the :class:`~guildkit.GuildKit` instance as sender and the same keyword
arguments as the matching ``guildkit_*`` hook (see :mod:`guildkit.hookspecs`). Signals only
announce; to change an outcome, implement a deciding hook instead.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: An activity was recorded. Sender: ``GuildKit``; kwargs: ``activity``, ``result``.
activity_recorded = _signals.signal("activity-recorded")

#: An activity was retracted. Sender: ``GuildKit``; kwargs: ``activity``, ``result``.
activity_retracted = _signals.signal("activity-retracted")

#: A host user became a member. Sender: ``GuildKit``; kwargs: ``member``.
member_joined = _signals.signal("member-joined")

#: A balance changed. Sender: ``GuildKit``; kwargs: ``change`` (PointsChange), ``activity_key``.
points_changed = _signals.signal("points-changed")

#: A badge level was earned. Sender: ``GuildKit``; kwargs: ``change``, ``activity_key``.
badge_awarded = _signals.signal("badge-awarded")

#: A badge level was lost. Sender: ``GuildKit``; kwargs: ``change``, ``activity_key``.
badge_revoked = _signals.signal("badge-revoked")

#: A role was granted. Sender: ``GuildKit``; kwargs: ``change`` (RoleChange), ``activity_key``.
role_granted = _signals.signal("role-granted")

#: A role was revoked. Sender: ``GuildKit``; kwargs: ``change``, ``activity_key``.
role_revoked = _signals.signal("role-revoked")

#: A level changed. Sender: ``GuildKit``; kwargs: ``change`` (LevelChange), ``activity_key``.
level_changed = _signals.signal("level-changed")

#: A mentorship changed state. Sender: ``GuildKit``; kwargs: ``change`` (MentorshipChange).
mentorship_changed = _signals.signal("mentorship-changed")

#: An event was created, updated or cancelled. Sender: ``GuildKit``; kwargs: ``change`` (EventChange).
event_changed = _signals.signal("event-changed")

#: An RSVP changed or a member was checked in. Sender: ``GuildKit``; kwargs: ``change`` (RsvpChange).
rsvp_changed = _signals.signal("rsvp-changed")

#: A trust level changed. Sender: ``GuildKit``; kwargs: ``change`` (TrustLevelChange).
trust_level_changed = _signals.signal("trust-level-changed")

#: New community guidelines were published. Sender: ``GuildKit``; kwargs: ``guidelines`` (GuidelinesPublished).
guidelines_published = _signals.signal("guidelines-published")

#: A moderation case was resolved. Sender: ``GuildKit``; kwargs: ``case`` (CaseResolved).
case_resolved = _signals.signal("case-resolved")

BY_NAME = {
    "activity_recorded": activity_recorded,
    "activity_retracted": activity_retracted,
    "member_joined": member_joined,
    "points_changed": points_changed,
    "badge_awarded": badge_awarded,
    "badge_revoked": badge_revoked,
    "role_granted": role_granted,
    "role_revoked": role_revoked,
    "level_changed": level_changed,
    "mentorship_changed": mentorship_changed,
    "event_changed": event_changed,
    "rsvp_changed": rsvp_changed,
    "trust_level_changed": trust_level_changed,
    "guidelines_published": guidelines_published,
    "case_resolved": case_resolved,
}
