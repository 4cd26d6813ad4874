"""Groups, their memberships, goals, goal counters and contributions, and group badges
(guildkit/groups/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "groups_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("host_key", sa.String(length=191), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("policy IN ('open', 'request', 'invite')", name=op.f("ck_guildkit_groups_policy_known")),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name=op.f("ck_guildkit_groups_capacity_positive")),
        sa.CheckConstraint(
            "capacity IS NULL OR member_count <= capacity", name=op.f("ck_guildkit_groups_within_capacity")
        ),
        sa.CheckConstraint("member_count >= 0", name=op.f("ck_guildkit_groups_member_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_groups_created_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_groups")),
        sa.UniqueConstraint("host_key", name=op.f("uq_guildkit_groups_host_key")),
        sa.UniqueConstraint("slug", name=op.f("uq_guildkit_groups_slug")),
    )
    op.create_table(
        "guildkit_group_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("activity_type", sa.String(length=100), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("recurring", sa.String(length=16), nullable=True),
        sa.Column("min_contribution", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=100), nullable=False),
        sa.Column("defined_badge", sa.String(length=100), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "recurring IS NULL OR recurring = 'monthly'", name=op.f("ck_guildkit_group_goals_recurring_known")
        ),
        sa.CheckConstraint(
            "ends_at IS NOT NULL OR recurring IS NOT NULL", name=op.f("ck_guildkit_group_goals_ends_unless_recurring")
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at", name=op.f("ck_guildkit_group_goals_ends_after_start")
        ),
        sa.CheckConstraint("min_contribution > 0", name=op.f("ck_guildkit_group_goals_min_contribution_positive")),
        sa.CheckConstraint("target > 0", name=op.f("ck_guildkit_group_goals_target_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_group_goals_created_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["guildkit_groups.id"], name=op.f("fk_guildkit_group_goals_group_id_guildkit_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_group_goals")),
        sa.UniqueConstraint("defined_badge", name=op.f("uq_guildkit_group_goals_defined_badge")),
    )
    op.create_index(
        "ix_guildkit_group_goals_group", "guildkit_group_goals", ["group_id", "activity_type"], unique=False
    )
    op.create_table(
        "guildkit_group_memberships",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("by_member", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('owner', 'maintainer', 'member')", name=op.f("ck_guildkit_group_memberships_role_known")
        ),
        sa.CheckConstraint(
            "state IN ('requested', 'invited', 'member')", name=op.f("ck_guildkit_group_memberships_state_known")
        ),
        sa.ForeignKeyConstraint(
            ["by_member"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_group_memberships_by_member_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["guildkit_groups.id"], name=op.f("fk_guildkit_group_memberships_group_id_guildkit_groups")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_group_memberships_member_id_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("group_id", "member_id", name=op.f("pk_guildkit_group_memberships")),
    )
    op.create_index(
        "ix_guildkit_group_memberships_group",
        "guildkit_group_memberships",
        ["group_id", "state", "since"],
        unique=False,
    )
    op.create_index(
        "ix_guildkit_group_memberships_member",
        "guildkit_group_memberships",
        ["member_id", "state", "group_id"],
        unique=False,
    )
    op.create_table(
        "guildkit_group_badges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("badge", sa.String(length=100), nullable=False),
        sa.Column("reached_at", UTCDateTime(), nullable=False),
        sa.Column("awarded_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["guildkit_group_goals.id"], name=op.f("fk_guildkit_group_badges_goal_id_guildkit_group_goals")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["guildkit_groups.id"], name=op.f("fk_guildkit_group_badges_group_id_guildkit_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_group_badges")),
        sa.UniqueConstraint("goal_id", "period_start", name="uq_guildkit_group_badges_goal_period"),
    )
    op.create_index("ix_guildkit_group_badges_group", "guildkit_group_badges", ["group_id", "reached_at"], unique=False)
    op.create_table(
        "guildkit_group_goal_contributions",
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["guildkit_group_goals.id"],
            name=op.f("fk_guildkit_group_goal_contributions_goal_id_guildkit_group_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_group_goal_contributions_member_id_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint(
            "goal_id", "period_start", "member_id", name=op.f("pk_guildkit_group_goal_contributions")
        ),
    )
    op.create_table(
        "guildkit_group_goal_periods",
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("period_end", UTCDateTime(), nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("reached_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["guildkit_group_goals.id"],
            name=op.f("fk_guildkit_group_goal_periods_goal_id_guildkit_group_goals"),
        ),
        sa.PrimaryKeyConstraint("goal_id", "period_start", name=op.f("pk_guildkit_group_goal_periods")),
    )


def downgrade() -> None:
    op.drop_index("ix_guildkit_group_badges_group", table_name="guildkit_group_badges")
    op.drop_table("guildkit_group_badges")
    op.drop_table("guildkit_group_goal_contributions")
    op.drop_table("guildkit_group_goal_periods")
    op.drop_index("ix_guildkit_group_goals_group", table_name="guildkit_group_goals")
    op.drop_table("guildkit_group_goals")
    op.drop_index("ix_guildkit_group_memberships_member", table_name="guildkit_group_memberships")
    op.drop_index("ix_guildkit_group_memberships_group", table_name="guildkit_group_memberships")
    op.drop_table("guildkit_group_memberships")
    op.drop_table("guildkit_groups")
