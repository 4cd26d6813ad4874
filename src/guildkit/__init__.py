"""guildkit: an embeddable community layer for Flask apps.

.. code-block:: python

    gk = GuildKit(app, db=db)
    gk.record("answer.upvoted", actor=voter_id, target=author_id, subject="answer:42", key="vote:9001")
"""

from .activity import ActivityResult, ActivityView, BadgeChange, PointsChange, RoleChange
from .announcements import (
    CaseResolved,
    EventChange,
    GuidelinesPublished,
    LevelChange,
    MemberJoined,
    MentorshipChange,
    RsvpChange,
    TrustLevelChange,
)
from .definitions import BadgeDef, BadgeLevel, PageLink, PointTypeDef, RoleDef
from .errors import (
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
from .extension import GuildKit
from .identity import UserInfo
from .mentorship.matching import MentorCandidate, MentorScore, MentorSeeker
from .metrics import Count, Distinct, PointsTotal, Streak
from .plugins import hookimpl
from .rules import (
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
