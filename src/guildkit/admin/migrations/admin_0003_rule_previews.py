"""Stored rule-change previews (guildkit/admin/rule_changes.py): the console pages through them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "admin_0003"
down_revision: str | Sequence[str] | None = "admin_0002"


def upgrade() -> None:
    op.create_table(
        "guildkit_rule_previews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=191), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.Column("counters_only", sa.Integer(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=191), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_rule_previews")),
    )
    op.create_table(
        "guildkit_rule_preview_members",
        sa.Column("preview_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=191), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["preview_id"],
            ["guildkit_rule_previews.id"],
            name=op.f("fk_guildkit_rule_preview_members_preview_id_guildkit_rule_previews"),
        ),
        sa.PrimaryKeyConstraint("preview_id", "position", name=op.f("pk_guildkit_rule_preview_members")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_rule_preview_members")
    op.drop_table("guildkit_rule_previews")
