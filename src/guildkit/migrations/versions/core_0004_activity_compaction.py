"""Old activities may be compacted: guildkit_activities.compacted_at (see docs/retention.md).

Nullable and without a default, so adding it rewrites no row: every existing activity is
simply not compacted yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "core_0004"
down_revision: str | Sequence[str] | None = "core_0003"


def upgrade() -> None:
    op.add_column("guildkit_activities", sa.Column("compacted_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guildkit_activities") as batch:
        batch.drop_column("compacted_at")
