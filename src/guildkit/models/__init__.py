"""guildkit's tables. Import from here; each concept lives in its own module."""

from .activities import Activity, Counter, DistinctValue, HookFailure
from .badges import TIERS, Badge, BadgeAward
from .base import Base, UTCDateTime, table_of, utcnow
from .members import MEMBER_STATUSES, Member, Role, RoleGrant
from .points import Balance, LedgerEntry, PointType, ledger_guard_ddl
from .web import ApiToken, Notification

__all__ = [
    "MEMBER_STATUSES",
    "TIERS",
    "Activity",
    "ApiToken",
    "Badge",
    "BadgeAward",
    "Balance",
    "Base",
    "Counter",
    "DistinctValue",
    "HookFailure",
    "LedgerEntry",
    "Member",
    "Notification",
    "PointType",
    "Role",
    "RoleGrant",
    "UTCDateTime",
    "ledger_guard_ddl",
    "table_of",
    "utcnow",
]
