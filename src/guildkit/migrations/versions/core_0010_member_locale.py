"""A member's own language and time zone for guildkit's pages and emails (``NULL``: the host's)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0010"
down_revision: str | Sequence[str] | None = "core_0009"


def upgrade() -> None:
    op.add_column("guildkit_members", sa.Column("locale", sa.String(35), nullable=True))
    op.add_column("guildkit_members", sa.Column("time_zone", sa.String(64), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not a batch copy of the table: copying guildkit_members
    # would drop the triggers on it that keep the leaderboard histogram exact (core_0006).
    op.drop_column("guildkit_members", "time_zone")
    op.drop_column("guildkit_members", "locale")
