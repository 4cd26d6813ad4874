"""Event records handed to "being told" hooks and signals (besides those in :mod:`.activity`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MemberJoined:
    user_id: str
    member_id: int


@dataclass(frozen=True)
class LevelChange:
    user_id: str
    point_type: str
    old_level: int
    new_level: int
    name: str


@dataclass(frozen=True)
class Announcement:
    """One after-commit event: the hook/signal name and its arguments (without ``gk``)."""

    name: str
    kwargs: dict[str, object]


@dataclass(frozen=True)
class MentorshipChange:
    """A mentorship moved from one state to another (``requested`` → ``accepted`` …)."""

    mentorship_id: int
    mentor: str
    mentee: str
    old_state: str | None
    new_state: str
    #: The host user id of whoever made the change (``None``: guildkit itself, e.g. expiry).
    by: str | None
    reason: str = ""


@dataclass(frozen=True)
class EventChange:
    """A community event was created, changed or cancelled."""

    event_id: int
    title: str
    change: str  # "created", "updated" or "cancelled"
    by: str | None


@dataclass(frozen=True)
class RsvpChange:
    """A member's answer to an event changed (``going``, ``maybe``, ``not_going``,
    ``waitlisted``), or they were checked in (``attended``)."""

    event_id: int
    user_id: str
    old_status: str | None
    new_status: str
    by: str | None


@dataclass(frozen=True)
class TrustLevelChange:
    """A member's trust level went up or down (see ``docs/trust.md``)."""

    user_id: str
    old_level: int
    new_level: int
    #: The new level's name (``GUILDKIT_TRUST_LEVELS``), such as ``"Member"``.
    name: str
    #: The host user id of the staff member who set it (``None``: evaluation).
    by: str | None
    reason: str = ""


@dataclass(frozen=True)
class GuidelinesPublished:
    """A new version of the community guidelines (see ``docs/guidelines.md``)."""

    version: int
    title: str
    #: What changed since the previous version ("" for the first).
    summary: str
    #: The host user id of the admin who published it (``None``: host code).
    by: str | None


@dataclass(frozen=True)
class CaseResolved:
    """A moderation case was resolved: by a moderator's action, or by a mediation's agreed outcome."""

    case_id: int
    #: The host's reference to the reported content (``answer:42``).
    subject: str
    #: The reported member's host user id.
    user_id: str
    #: ``dismiss``, ``warn``, ``mute``, ``suspend``, ``ban``, ``revoke_badge``, ``retract`` or ``mediate``.
    action: str
    #: The moderator's reason (for ``mediate``: the agreed outcome).
    reason: str
    #: The host user id of the moderator (``None``: host code or an API token).
    by: str | None
    #: Whether the reported member's content was hidden while the case was open.
    hidden: bool = False
