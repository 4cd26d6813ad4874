"""guildkit: an embeddable community layer for Flask apps. This package is its public API.

It exports the core and what guildkit's first-party features (``guildkit.mentorship``, …) hand to
host code and plugin authors; the core itself never imports a feature (see docs/architecture.md).

.. code-block:: python

    gk = GuildKit(app, db=db)
    gk.record("answer.upvoted", actor=voter_id, target=author_id, subject="answer:42", key="vote:9001")
"""

from guildkit.activity import Accepted, ActivityResult, ActivityView, BadgeChange, PointsChange, RoleChange
from guildkit.announcements import LevelChange, MemberJoined
from guildkit.definitions import ActivityTypeDef, BadgeDef, BadgeLevel, PageLink, PointTypeDef, RoleDef, Subject
from guildkit.erasure import Erasure
from guildkit.errors import (
    AsyncUnavailable,
    ConfigurationError,
    GuildKitError,
    IdempotencyConflict,
    NotFound,
    PrivacyHookFailed,
    UnknownActivity,
    UnknownBadge,
    UnknownMember,
    UnknownPointType,
    UnknownRole,
    ValidationError,
)
from guildkit.events.hookspecs import EventChange, RsvpChange
from guildkit.extension import GuildKit
from guildkit.guidelines.hookspecs import GuidelinesPublished
from guildkit.identity import UserInfo
from guildkit.leaderboards import Standing
from guildkit.markers import hookimpl
from guildkit.mentorship.hookspecs import MentorshipChange
from guildkit.mentorship.matching import MentorCandidate, MentorScore, MentorSeeker
from guildkit.metrics import Count, Distinct, PointsTotal, Streak
from guildkit.models import BadgeAward, LedgerEntry, Member, Notification
from guildkit.models.members import FORMER_MEMBER
from guildkit.moderation.hookspecs import CaseResolved
from guildkit.reading import Leaderboard
from guildkit.rules import (
    AwardBadge,
    AwardPoints,
    BadgeRule,
    EventBadgeRule,
    GrantRole,
    HoldBadge,
    HoldRole,
    Levels,
    PointsRule,
    RoleRule,
    Veto,
)
from guildkit.trust.hookspecs import TrustLevelChange
from guildkit.version import __version__

__all__ = [
    "FORMER_MEMBER",
    "Accepted",
    "ActivityResult",
    "ActivityTypeDef",
    "ActivityView",
    "AsyncUnavailable",
    "AwardBadge",
    "AwardPoints",
    "BadgeAward",
    "BadgeChange",
    "BadgeDef",
    "BadgeLevel",
    "BadgeRule",
    "CaseResolved",
    "ConfigurationError",
    "Count",
    "Distinct",
    "Erasure",
    "EventBadgeRule",
    "EventChange",
    "GrantRole",
    "GuidelinesPublished",
    "GuildKit",
    "GuildKitError",
    "HoldBadge",
    "HoldRole",
    "IdempotencyConflict",
    "Leaderboard",
    "LedgerEntry",
    "LevelChange",
    "Levels",
    "Member",
    "MemberJoined",
    "MentorCandidate",
    "MentorScore",
    "MentorSeeker",
    "MentorshipChange",
    "NotFound",
    "Notification",
    "PageLink",
    "PointTypeDef",
    "PointsChange",
    "PointsRule",
    "PointsTotal",
    "PrivacyHookFailed",
    "RoleChange",
    "RoleDef",
    "RoleRule",
    "RsvpChange",
    "Standing",
    "Streak",
    "Subject",
    "TrustLevelChange",
    "UnknownActivity",
    "UnknownBadge",
    "UnknownMember",
    "UnknownPointType",
    "UnknownRole",
    "UserInfo",
    "ValidationError",
    "Veto",
    "__version__",
    "hookimpl",
]
