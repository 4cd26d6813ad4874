"""guildkit's tables. Import from here; each concept lives in its own module."""

from .activities import Activity, Counter, DistinctValue, HookFailure
from .admin import CRITERIA, AdminAudit, ConsoleBadge, ConsoleRole, DefinitionsVersion
from .analytics import SCORE_RANGES, SURVEY_KINDS, Survey, SurveyResponse
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
    APPEAL_STATES,
    CASE_STATES,
    MEDIATION_STATES,
    REPORT_CATEGORIES,
    SANCTION_KINDS,
    Appeal,
    CaseNote,
    Mediation,
    MediationStatement,
    ModerationAudit,
    ModerationCase,
    Report,
    Sanction,
)
from .points import Balance, LedgerEntry, PointType, ledger_guard_ddl
from .trust import TRUST_LEVELS, TrustLevel, TrustSweep
from .web import ApiToken, Notification

__all__ = [
    "APPEAL_STATES",
    "CASE_STATES",
    "CHECKIN_METHODS",
    "CRITERIA",
    "EVENT_VISIBILITIES",
    "HOLDING_STATES",
    "MEDIATION_STATES",
    "MEMBER_STATUSES",
    "MENTORSHIP_STATES",
    "OPEN_STATES",
    "REPORT_CATEGORIES",
    "RSVP_STATUSES",
    "SANCTION_KINDS",
    "SCORE_RANGES",
    "SURVEY_KINDS",
    "TIERS",
    "TRUST_LEVELS",
    "Activity",
    "AdminAudit",
    "ApiToken",
    "Appeal",
    "Attendance",
    "Badge",
    "BadgeAward",
    "Balance",
    "Base",
    "CaseNote",
    "ConsoleBadge",
    "ConsoleRole",
    "Counter",
    "DefinitionsVersion",
    "DistinctValue",
    "Event",
    "EventOrganizer",
    "Guidelines",
    "GuidelinesAcceptance",
    "HookFailure",
    "LedgerEntry",
    "Mediation",
    "MediationStatement",
    "Member",
    "MentorProfile",
    "Mentorship",
    "MentorshipCheckIn",
    "MentorshipFeedback",
    "ModerationAudit",
    "ModerationCase",
    "Notification",
    "PointType",
    "Report",
    "Role",
    "RoleGrant",
    "Rsvp",
    "Sanction",
    "Survey",
    "SurveyResponse",
    "TrustLevel",
    "TrustSweep",
    "UTCDateTime",
    "ledger_guard_ddl",
    "table_of",
    "utcnow",
]
