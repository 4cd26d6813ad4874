"""Trust levels (one row per member) and where the last trust sweep stopped.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 20:01:23.706999
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_trust_sweeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("swept_at", sa.DateTime(), nullable=False),
        sa.Column("last_activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_trust_sweeps")),
    )
    op.create_table(
        "guildkit_trust_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("lapsed_since", sa.DateTime(), nullable=True),
        sa.CheckConstraint("level >= 0 AND level <= 4", name=op.f("ck_guildkit_trust_levels_level_range")),
        sa.ForeignKeyConstraint(
            ["locked_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_trust_levels_locked_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_trust_levels_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_trust_levels")),
        sa.UniqueConstraint("member_id", name=op.f("uq_guildkit_trust_levels_member_id")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_trust_levels")
    op.drop_table("guildkit_trust_sweeps")
