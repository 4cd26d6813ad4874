"""The KPI rollups (guildkit/analytics/rollup.py): per member and day, per day and activity type,
per day and point type, per day (badge awards), each member's first post, the retractions taken
in, and the rollups' state; plus a partial index of retracted activities.

The tables start empty: the first ``flask guildkit analytics rollup`` (or the first KPI read)
builds them from the activity log, the ledger and the badge awards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "analytics_0002"
down_revision: str | Sequence[str] | None = "analytics_0001"

RETRACTED = sa.text("retracted_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "guildkit_analytics_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settings", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.BigInteger(), nullable=False),
        sa.Column("ledger_id", sa.BigInteger(), nullable=False),
        sa.Column("award_id", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_guildkit_analytics_rollup_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_analytics_rollup")),
    )
    op.create_table(
        "guildkit_analytics_member_days",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.Column("content", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.Column("prev_day", sa.Integer(), nullable=True),
        sa.Column("prev_content_day", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("member_id", "day", name=op.f("pk_guildkit_analytics_member_days")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_guildkit_analytics_member_days_day",
        "guildkit_analytics_member_days",
        ["day", "prev_day", "content", "prev_content_day", "member_id", "score", "activities", "last_at"],
        unique=False,
    )
    op.create_table(
        "guildkit_analytics_type_days",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "type", name=op.f("pk_guildkit_analytics_type_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "guildkit_analytics_point_days",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("point_type", sa.String(length=100), nullable=False),
        sa.Column("issued", sa.BigInteger(), nullable=False),
        sa.Column("reversed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "point_type", name=op.f("pk_guildkit_analytics_point_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "guildkit_analytics_award_days",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("awards", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_guildkit_analytics_award_days")),
    )
    op.create_table(
        "guildkit_analytics_first_posts",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("reply_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_guildkit_analytics_first_posts")),
    )
    op.create_table(
        "guildkit_analytics_retractions",
        sa.Column("activity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_guildkit_analytics_retractions")),
    )
    op.create_index(
        "ix_guildkit_activities_retracted",
        "guildkit_activities",
        ["id"],
        unique=False,
        sqlite_where=RETRACTED,
        postgresql_where=RETRACTED,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_guildkit_activities_retracted",
        table_name="guildkit_activities",
        sqlite_where=RETRACTED,
        postgresql_where=RETRACTED,
    )
    op.drop_table("guildkit_analytics_retractions")
    op.drop_table("guildkit_analytics_first_posts")
    op.drop_table("guildkit_analytics_award_days")
    op.drop_table("guildkit_analytics_point_days")
    op.drop_table("guildkit_analytics_type_days")
    op.drop_index("ix_guildkit_analytics_member_days_day", table_name="guildkit_analytics_member_days")
    op.drop_table("guildkit_analytics_member_days")
    op.drop_table("guildkit_analytics_rollup")
