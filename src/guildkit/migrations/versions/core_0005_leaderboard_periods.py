"""Leaderboards as index reads: week and month points on guildkit_balances, the score histogram
guildkit_score_counts and the triggers that keep it (see guildkit.leaderboards), as they were
before core_0006 added excluded roles (``exclusions=False``).

The all-time part of the histogram is filled here. Week and month points depend on the
community's time zone, which a migration does not know: ``flask guildkit db upgrade`` runs
``leaderboards.rebuild`` after this revision (or run ``flask guildkit leaderboards rebuild``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.scores import BLOCK, block_sql, drop_score_counts_ddl, listed_sql, score_counts_ddl

revision: str = "core_0005"
down_revision: str | Sequence[str] | None = "core_0004"


def upgrade() -> None:
    with op.batch_alter_table("guildkit_balances") as batch:
        for column in ("week_key", "week_points", "month_key", "month_points"):
            batch.add_column(sa.Column(column, sa.Integer(), server_default="0", nullable=False))
    op.create_index(
        "ix_guildkit_balances_week",
        "guildkit_balances",
        ["point_type", "week_key", sa.text("week_points DESC"), "member_id"],
    )
    op.create_index(
        "ix_guildkit_balances_month",
        "guildkit_balances",
        ["point_type", "month_key", sa.text("month_points DESC"), "member_id"],
    )
    op.create_table(
        "guildkit_score_counts",
        sa.Column("point_type", sa.String(100), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("members", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "point_type", "period", "period_key", "width", "points", name="pk_guildkit_score_counts"
        ),
    )
    bind = op.get_bind()
    for width in (1, BLOCK):
        bind.exec_driver_sql(
            "INSERT INTO guildkit_score_counts (point_type, period, period_key, width, points, members) "
            f"SELECT b.point_type, 'all', 0, {width}, {block_sql('b.balance', width, bind.dialect.name)}, "
            "COUNT(*) FROM guildkit_balances b JOIN guildkit_members m ON m.id = b.member_id "
            f"WHERE {listed_sql('m', exclusions=False)} GROUP BY 1, 2, 3, 4, 5"
        )
    for statement in score_counts_ddl(bind.dialect.name, exclusions=False):
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_score_counts_ddl(bind.dialect.name):
        bind.exec_driver_sql(statement)
    op.drop_table("guildkit_score_counts")
    op.drop_index("ix_guildkit_balances_month", table_name="guildkit_balances")
    op.drop_index("ix_guildkit_balances_week", table_name="guildkit_balances")
    with op.batch_alter_table("guildkit_balances") as batch:
        for column in ("month_points", "month_key", "week_points", "week_key"):
            batch.drop_column(column)
