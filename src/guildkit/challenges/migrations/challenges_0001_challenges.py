"""Challenges, their steps, participants and per-step progress (guildkit/challenges/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "challenges_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("ordered", sa.Boolean(), nullable=False),
        sa.Column("reward_points", sa.Integer(), nullable=True),
        sa.Column("reward_point_type", sa.String(length=100), nullable=True),
        sa.Column("badge", sa.String(length=100), nullable=True),
        sa.Column("defined_badge", sa.String(length=100), nullable=True),
        sa.Column("recurrence", sa.String(length=16), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("settled_at", UTCDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.CheckConstraint("audience IN ('individual', 'group')", name=op.f("ck_guildkit_challenges_audience_known")),
        sa.CheckConstraint("recurrence IN ('none', 'weekly')", name=op.f("ck_guildkit_challenges_recurrence_known")),
        sa.CheckConstraint(
            "(reward_points IS NULL) = (reward_point_type IS NULL)",
            name=op.f("ck_guildkit_challenges_reward_with_type"),
        ),
        sa.CheckConstraint(
            "defined_badge IS NULL OR defined_badge = badge", name=op.f("ck_guildkit_challenges_defined_badge_is_badge")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_guildkit_challenges_ends_after_start")),
        sa.CheckConstraint(
            "reward_points IS NULL OR reward_points > 0", name=op.f("ck_guildkit_challenges_reward_positive")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_challenges_closed_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_challenges_created_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["guildkit_challenges.id"],
            name=op.f("fk_guildkit_challenges_previous_id_guildkit_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["guildkit_challenges.id"], name=op.f("fk_guildkit_challenges_series_id_guildkit_challenges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_challenges")),
        sa.UniqueConstraint("defined_badge", name=op.f("uq_guildkit_challenges_defined_badge")),
        sa.UniqueConstraint("previous_id", name=op.f("uq_guildkit_challenges_previous_id")),
    )
    op.create_index("ix_guildkit_challenges_ends_at", "guildkit_challenges", ["ends_at", "id"], unique=False)
    op.create_index(
        "ix_guildkit_challenges_unsettled",
        "guildkit_challenges",
        ["ends_at"],
        unique=False,
        sqlite_where=sa.text("settled_at IS NULL"),
        postgresql_where=sa.text("settled_at IS NULL"),
    )
    op.create_index("ix_guildkit_challenges_weekly", "guildkit_challenges", ["recurrence", "ends_at"], unique=False)
    op.create_table(
        "guildkit_challenge_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("joined_by", sa.Integer(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("steps_done", sa.Integer(), nullable=False),
        sa.Column("steps_total", sa.Integer(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("awarded_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "(completed_at IS NULL) = (steps_done < steps_total)",
            name=op.f("ck_guildkit_challenge_participants_completed_when_done"),
        ),
        sa.CheckConstraint(
            "(member_id IS NULL) <> (group_id IS NULL)", name=op.f("ck_guildkit_challenge_participants_member_or_group")
        ),
        sa.CheckConstraint(
            "steps_done >= 0 AND steps_done <= steps_total",
            name=op.f("ck_guildkit_challenge_participants_steps_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["guildkit_challenges.id"],
            name=op.f("fk_guildkit_challenge_participants_challenge_id_guildkit_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["joined_by"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_challenge_participants_joined_by_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_challenge_participants_member_id_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_challenge_participants")),
        sa.UniqueConstraint("challenge_id", "group_id", name="uq_guildkit_challenge_participants_group"),
        sa.UniqueConstraint("challenge_id", "member_id", name="uq_guildkit_challenge_participants_member"),
    )
    op.create_index(
        "ix_guildkit_challenge_participants_due",
        "guildkit_challenge_participants",
        ["id"],
        unique=False,
        sqlite_where=sa.text("completed_at IS NOT NULL AND awarded_at IS NULL"),
        postgresql_where=sa.text("completed_at IS NOT NULL AND awarded_at IS NULL"),
    )
    op.create_index(
        "ix_guildkit_challenge_participants_listing",
        "guildkit_challenge_participants",
        ["challenge_id", "joined_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_guildkit_challenge_participants_member",
        "guildkit_challenge_participants",
        ["member_id", "challenge_id"],
        unique=False,
    )
    op.create_table(
        "guildkit_challenge_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("activity_type", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.CheckConstraint("count > 0", name=op.f("ck_guildkit_challenge_steps_count_positive")),
        sa.CheckConstraint("position > 0", name=op.f("ck_guildkit_challenge_steps_position_positive")),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["guildkit_challenges.id"],
            name=op.f("fk_guildkit_challenge_steps_challenge_id_guildkit_challenges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_challenge_steps")),
        sa.UniqueConstraint("challenge_id", "position", name="uq_guildkit_challenge_steps_position"),
    )
    op.create_index(
        "ix_guildkit_challenge_steps_counting", "guildkit_challenge_steps", ["activity_type", "ends_at"], unique=False
    )
    op.create_table(
        "guildkit_challenge_progress",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("activity_type", sa.String(length=100), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("counts_from", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "count >= 0 AND count <= target", name=op.f("ck_guildkit_challenge_progress_count_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["guildkit_challenges.id"],
            name=op.f("fk_guildkit_challenge_progress_challenge_id_guildkit_challenges"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["guildkit_challenge_participants.id"],
            name=op.f("fk_guildkit_challenge_progress_participant_id_guildkit_challenge_participants"),
        ),
        sa.PrimaryKeyConstraint("participant_id", "position", name=op.f("pk_guildkit_challenge_progress")),
    )
    op.create_index(
        "ix_guildkit_challenge_progress_challenge",
        "guildkit_challenge_progress",
        ["challenge_id", "active"],
        unique=False,
    )
    op.create_index(
        "ix_guildkit_challenge_progress_group",
        "guildkit_challenge_progress",
        ["group_id", "activity_type", "active"],
        unique=False,
    )
    op.create_index(
        "ix_guildkit_challenge_progress_member",
        "guildkit_challenge_progress",
        ["member_id", "activity_type", "active"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_guildkit_challenge_progress_member", table_name="guildkit_challenge_progress")
    op.drop_index("ix_guildkit_challenge_progress_group", table_name="guildkit_challenge_progress")
    op.drop_index("ix_guildkit_challenge_progress_challenge", table_name="guildkit_challenge_progress")
    op.drop_table("guildkit_challenge_progress")
    op.drop_index("ix_guildkit_challenge_steps_counting", table_name="guildkit_challenge_steps")
    op.drop_table("guildkit_challenge_steps")
    op.drop_index("ix_guildkit_challenge_participants_member", table_name="guildkit_challenge_participants")
    op.drop_index("ix_guildkit_challenge_participants_listing", table_name="guildkit_challenge_participants")
    op.drop_index(
        "ix_guildkit_challenge_participants_due",
        table_name="guildkit_challenge_participants",
        sqlite_where=sa.text("completed_at IS NOT NULL AND awarded_at IS NULL"),
        postgresql_where=sa.text("completed_at IS NOT NULL AND awarded_at IS NULL"),
    )
    op.drop_table("guildkit_challenge_participants")
    op.drop_index("ix_guildkit_challenges_weekly", table_name="guildkit_challenges")
    op.drop_index(
        "ix_guildkit_challenges_unsettled",
        table_name="guildkit_challenges",
        sqlite_where=sa.text("settled_at IS NULL"),
        postgresql_where=sa.text("settled_at IS NULL"),
    )
    op.drop_index("ix_guildkit_challenges_ends_at", table_name="guildkit_challenges")
    op.drop_table("guildkit_challenges")
