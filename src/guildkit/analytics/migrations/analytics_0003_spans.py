"""The KPI rollups' calendar rows (guildkit/analytics/spans.py): members active per calendar
week (with the week they joined) and their count per cohort and week, members' scores per
calendar month, and distinct active and contributing members per calendar day, week and month.

The tables start empty; the rollups' version moved on, so the next refresh (``flask guildkit
analytics rollup``, the periodic job, or the first KPI read) rebuilds every rollup, these included.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "analytics_0003"
down_revision: str | Sequence[str] | None = "analytics_0002"


def upgrade() -> None:
    op.create_table(
        "guildkit_analytics_member_weeks",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "week", name=op.f("pk_guildkit_analytics_member_weeks")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_guildkit_analytics_member_weeks_week", "guildkit_analytics_member_weeks", ["week", "cohort"], unique=False
    )
    op.create_table(
        "guildkit_analytics_cohort_weeks",
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "cohort", name=op.f("pk_guildkit_analytics_cohort_weeks")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "guildkit_analytics_member_months",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("content", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "member_id", name=op.f("pk_guildkit_analytics_member_months")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "guildkit_analytics_period_counts",
        sa.Column("span", sa.String(length=5), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("contributing", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("span", "start", name=op.f("pk_guildkit_analytics_period_counts")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("guildkit_analytics_period_counts")
    op.drop_table("guildkit_analytics_member_months")
    op.drop_table("guildkit_analytics_cohort_weeks")
    op.drop_index("ix_guildkit_analytics_member_weeks_week", table_name="guildkit_analytics_member_weeks")
    op.drop_table("guildkit_analytics_member_weeks")
