"""API tokens and in-app notifications (the blueprint issue).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 17:16:51.906214
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=191), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_guildkit_api_tokens_token_hash")),
    )
    op.create_table(
        "guildkit_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["guildkit_activities.id"],
            name=op.f("fk_guildkit_notifications_activity_id_guildkit_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_notifications_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_notifications")),
    )
    with op.batch_alter_table("guildkit_notifications", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_notifications_member", ["member_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guildkit_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_notifications_member")

    op.drop_table("guildkit_notifications")
    op.drop_table("guildkit_api_tokens")
