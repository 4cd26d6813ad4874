"""guildkit: an embeddable community layer for Flask apps.

.. code-block:: python

    gk = GuildKit(app, db=db)
    gk.record("answer.upvoted", actor=voter_id, target=author_id, subject="answer:42", key="vote:9001")
"""

from guildkit.activity import ActivityResult, ActivityView, BadgeChange, PointsChange, RoleChange
from guildkit.announcements import (
    CaseResolved,
    EventChange,
    GuidelinesPublished,
    LevelChange,
    MemberJoined,
    MentorshipChange,
    RsvpChange,
    TrustLevelChange,
)
from guildkit.definitions import BadgeDef, BadgeLevel, PageLink, PointTypeDef, RoleDef
from guildkit.errors import (
    ConfigurationError,
    GuildKitError,
    IdempotencyConflict,
    NotFound,
    UnknownActivity,
    UnknownBadge,
    UnknownMember,
    UnknownPointType,
    UnknownRole,
    ValidationError,
)
from guildkit.extension import GuildKit
from guildkit.identity import UserInfo
from guildkit.mentorship.matching import MentorCandidate, MentorScore, MentorSeeker
from guildkit.metrics import Count, Distinct, PointsTotal, Streak
from guildkit.plugins import hookimpl
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

__version__ = "0.1.0"

__all__ = [
    "ActivityResult",
    "ActivityView",
    "AwardBadge",
    "AwardPoints",
    "BadgeChange",
    "BadgeDef",
    "BadgeLevel",
    "BadgeRule",
    "CaseResolved",
    "ConfigurationError",
    "Count",
    "Distinct",
    "EventBadgeRule",
    "EventChange",
    "GrantRole",
    "GuidelinesPublished",
    "GuildKit",
    "GuildKitError",
    "HoldBadge",
    "HoldRole",
    "IdempotencyConflict",
    "LevelChange",
    "Levels",
    "MemberJoined",
    "MentorCandidate",
    "MentorScore",
    "MentorSeeker",
    "MentorshipChange",
    "NotFound",
    "PageLink",
    "PointTypeDef",
    "PointsChange",
    "PointsRule",
    "PointsTotal",
    "RoleChange",
    "RoleDef",
    "RoleRule",
    "RsvpChange",
    "Streak",
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
