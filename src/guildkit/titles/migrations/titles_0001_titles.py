"""Members' chosen titles (guildkit/titles/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "titles_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_member_titles",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=100), nullable=False),
        sa.Column("chosen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_member_titles_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_guildkit_member_titles")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_member_titles")
