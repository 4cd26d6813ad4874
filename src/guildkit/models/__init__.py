"""guildkit's tables. Import from here; each concept lives in its own module."""

from .activities import Activity, Counter, DistinctValue, HookFailure
from .badges import TIERS, Badge, BadgeAward
from .base import Base, UTCDateTime, table_of, utcnow
from .events import CHECKIN_METHODS, EVENT_VISIBILITIES, RSVP_STATUSES, Attendance, Event, EventOrganizer, Rsvp
from .guidelines import Guidelines, GuidelinesAcceptance
from .members import MEMBER_STATUSES, Member, Role, RoleGrant
from .mentorship import (
    HOLDING_STATES,
    MENTORSHIP_STATES,
    OPEN_STATES,
    MentorProfile,
    Mentorship,
    MentorshipCheckIn,
    MentorshipFeedback,
)
from .moderation import (
    CASE_STATES,
    REPORT_CATEGORIES,
    APPEAL_STATES,
    SANCTION_KINDS,
    MEDIATION_STATES,
    CaseNote,
    ModerationAudit,
    Appeal,
    ModerationCase,
    Mediation,
    MediationStatement,
    Report,
    Sanction,
)
from .points import Balance, LedgerEntry, PointType, ledger_guard_ddl
from .trust import TRUST_LEVELS, TrustLevel, TrustSweep
from .web import ApiToken, Notification

__all__ = [
    "CASE_STATES",
    "CHECKIN_METHODS",
    "APPEAL_STATES",
    "EVENT_VISIBILITIES",
    "HOLDING_STATES",
    "MEMBER_STATUSES",
    "MENTORSHIP_STATES",
    "OPEN_STATES",
    "MEDIATION_STATES",
    "REPORT_CATEGORIES",
    "RSVP_STATUSES",
    "SANCTION_KINDS",
    "TIERS",
    "TRUST_LEVELS",
    "Activity",
    "ApiToken",
    "Attendance",
    "Badge",
    "BadgeAward",
    "Balance",
    "Base",
    "CaseNote",
    "Appeal",
    "Counter",
    "DistinctValue",
    "Event",
    "EventOrganizer",
    "Guidelines",
    "GuidelinesAcceptance",
    "HookFailure",
    "LedgerEntry",
    "Member",
    "MentorProfile",
    "Mentorship",
    "MentorshipCheckIn",
    "MentorshipFeedback",
    "ModerationAudit",
    "ModerationCase",
    "Notification",
    "PointType",
    "Mediation",
    "MediationStatement",
    "Report",
    "Role",
    "RoleGrant",
    "Rsvp",
    "Sanction",
    "TrustLevel",
    "TrustSweep",
    "UTCDateTime",
    "ledger_guard_ddl",
    "table_of",
    "utcnow",
]
