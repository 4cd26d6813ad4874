"""The trust tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "trust_0001"
down_revision: str | Sequence[str] | None = None

#: Row ids that may grow past 2**31 (``INTEGER`` on SQLite, so they stay rowid aliases).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "guildkit_trust_sweeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("swept_at", UTCDateTime(), nullable=False),
        sa.Column("last_activity_id", BIG_ID, nullable=False),
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
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("lapsed_since", UTCDateTime(), nullable=True),
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
