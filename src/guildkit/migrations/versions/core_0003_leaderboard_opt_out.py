"""Members may leave the leaderboards: guildkit_members.leaderboard_opt_out (see docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0003"
down_revision: str | Sequence[str] | None = "core_0002"


def upgrade() -> None:
    op.add_column(
        "guildkit_members",
        sa.Column("leaderboard_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("guildkit_members") as batch:
        batch.drop_column("leaderboard_opt_out")
