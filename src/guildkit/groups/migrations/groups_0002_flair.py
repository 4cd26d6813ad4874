"""A member's group flair: ``flair`` on their membership, one group at most (guildkit/groups/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "groups_0002"
down_revision: str | Sequence[str] | None = "groups_0001"


def upgrade() -> None:
    op.add_column(
        "guildkit_group_memberships", sa.Column("flair", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_index(
        "uq_guildkit_group_memberships_flair",
        "guildkit_group_memberships",
        ["member_id"],
        unique=True,
        sqlite_where=sa.text("flair"),
        postgresql_where=sa.text("flair"),
    )


def downgrade() -> None:
    op.drop_index("uq_guildkit_group_memberships_flair", table_name="guildkit_group_memberships")
    with op.batch_alter_table("guildkit_group_memberships") as batch:
        batch.drop_column("flair")
