"""The retention policy: compacting activities older than ``GUILDKIT_RETENTION_DAYS``.

An old activity's payload (free-form, the bulk of each row) is dropped, except the fields
plugins or the host ask to keep; its key, fingerprint, subject, members, type and times stay,
so a replay of its key is still a duplicate (same content) or an ``IdempotencyConflict``
(different content), and every count and KPI over activities is unchanged. The ledger, badges,
counters and balances are never touched. A compacted activity can no longer be retracted
(``ActivityCompacted``). ``gk.retention``, ``flask guildkit retention compact`` and the daily job
``guildkit.retention.compact`` run it; see docs/retention.md.
"""

from guildkit.retention.compaction import Compaction
from guildkit.retention.policy import Policy
from guildkit.retention.service import Retention

__all__ = ["Compaction", "Policy", "Retention"]
