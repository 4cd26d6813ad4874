"""Kudos and their budgets (guildkit/kudos/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "kudos_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.CheckConstraint("giver_id <> receiver_id", name=op.f("ck_guildkit_kudos_not_to_oneself")),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["guildkit_activities.id"], name=op.f("fk_guildkit_kudos_activity_id_guildkit_activities")
        ),
        sa.ForeignKeyConstraint(
            ["giver_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_kudos_giver_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_kudos_receiver_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_kudos")),
        sa.UniqueConstraint("giver_id", "key", name=op.f("uq_guildkit_kudos_giver_id_key")),
    )
    op.create_index("ix_guildkit_kudos_given_at", "guildkit_kudos", ["given_at", "id"], unique=False)
    op.create_index("ix_guildkit_kudos_giver", "guildkit_kudos", ["giver_id", "given_at", "id"], unique=False)
    op.create_index("ix_guildkit_kudos_receiver", "guildkit_kudos", ["receiver_id", "given_at", "id"], unique=False)
    op.create_table(
        "guildkit_kudos_budgets",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint("used >= 0", name=op.f("ck_guildkit_kudos_budgets_used_not_negative")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_kudos_budgets_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("member_id", "period", name=op.f("pk_guildkit_kudos_budgets")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_kudos_budgets")
    op.drop_index("ix_guildkit_kudos_receiver", table_name="guildkit_kudos")
    op.drop_index("ix_guildkit_kudos_giver", table_name="guildkit_kudos")
    op.drop_index("ix_guildkit_kudos_given_at", table_name="guildkit_kudos")
    op.drop_table("guildkit_kudos")
