"""Streak freezes, their log, and absences (guildkit/streaks/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "streaks_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_streak_freezes",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.CheckConstraint("held >= 0", name=op.f("ck_guildkit_streak_freezes_held_not_negative")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_streak_freezes_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_guildkit_streak_freezes")),
    )
    op.create_table(
        "guildkit_streak_freeze_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("streak", sa.String(length=120), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("by", sa.String(length=191), nullable=True),
        sa.CheckConstraint("count > 0", name=op.f("ck_guildkit_streak_freeze_log_count_positive")),
        sa.CheckConstraint(
            "kind IN ('earned', 'granted', 'used')", name=op.f("ck_guildkit_streak_freeze_log_known_kind")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_streak_freeze_log_member_id_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_streak_freeze_log")),
        sa.UniqueConstraint(
            "member_id", "kind", "streak", "day", name=op.f("uq_guildkit_streak_freeze_log_member_id_kind_streak_day")
        ),
    )
    op.create_index(
        "ix_guildkit_streak_freeze_log_member", "guildkit_streak_freeze_log", ["member_id", "at", "id"], unique=False
    )
    op.create_table(
        "guildkit_streak_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_guildkit_streak_absences_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_streak_absences_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_streak_absences")),
    )
    op.create_index(
        "ix_guildkit_streak_absences_member", "guildkit_streak_absences", ["member_id", "starts_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_guildkit_streak_absences_member", table_name="guildkit_streak_absences")
    op.drop_table("guildkit_streak_absences")
    op.drop_index("ix_guildkit_streak_freeze_log_member", table_name="guildkit_streak_freeze_log")
    op.drop_table("guildkit_streak_freeze_log")
    op.drop_table("guildkit_streak_freezes")
