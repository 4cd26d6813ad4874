"""guildkit's core tables. Import from here; each concept lives in its own module.

Features keep their own tables in their own folders (``guildkit/<feature>/models.py``) on the
same :class:`Base`, and hand them to the core through ``guildkit_register_tables``; only
:data:`CORE_TABLES` exist without any feature.
"""

import sqlalchemy as sa

from guildkit.models.activities import Activity, Counter, DistinctValue, HookFailure
from guildkit.models.audit import AuditRecord
from guildkit.models.badges import TIERS, Badge, BadgeAward
from guildkit.models.base import Base, UTCDateTime, table_of, utcnow
from guildkit.models.members import MEMBER_STATUSES, Member, Role, RoleGrant
from guildkit.models.points import Balance, ExpirySweep, LedgerEntry, PointType, ledger_guard_ddl
from guildkit.models.rules import RuleVersion
from guildkit.models.scores import ScoreCount, score_counts_ddl
from guildkit.models.web import ApiToken, Notification

#: The tables guildkit needs with every feature switched off, in dependency order.
CORE_TABLES: tuple[sa.Table, ...] = tuple(
    table_of(model)
    for model in (
        Member,
        Role,
        RoleGrant,
        PointType,
        Balance,
        LedgerEntry,
        Badge,
        BadgeAward,
        Activity,
        Counter,
        DistinctValue,
        HookFailure,
        ApiToken,
        Notification,
        AuditRecord,
        ScoreCount,
        RuleVersion,
        ExpirySweep,
    )
)

__all__ = [
    "CORE_TABLES",
    "MEMBER_STATUSES",
    "TIERS",
    "Activity",
    "ApiToken",
    "AuditRecord",
    "Badge",
    "BadgeAward",
    "Balance",
    "Base",
    "Counter",
    "DistinctValue",
    "ExpirySweep",
    "HookFailure",
    "LedgerEntry",
    "Member",
    "Notification",
    "PointType",
    "Role",
    "RoleGrant",
    "RuleVersion",
    "ScoreCount",
    "UTCDateTime",
    "ledger_guard_ddl",
    "score_counts_ddl",
    "table_of",
    "utcnow",
]
