"""A member's points history reads newest first by when each change happened
(``created_at``, which imports and rule changes date in the past), not by when it was written:
an index on (member_id, created_at, id) serves that order and its cursor.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "core_0009"
down_revision: str | Sequence[str] | None = "core_0008"


def upgrade() -> None:
    op.create_index("ix_guildkit_ledger_member_time", "guildkit_ledger", ["member_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_guildkit_ledger_member_time", table_name="guildkit_ledger")
