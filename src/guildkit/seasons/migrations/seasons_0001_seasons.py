"""Seasons and their standings (guildkit/seasons/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "seasons_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_seasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("point_type", sa.String(length=100), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("top_n", sa.Integer(), nullable=True),
        sa.Column("badge", sa.String(length=100), nullable=True),
        sa.Column("defined_badge", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("ledger_id", sa.BigInteger(), nullable=True),
        sa.Column("refreshed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("awarded_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_guildkit_seasons_ends_after_start")),
        sa.CheckConstraint("top_n IS NULL OR top_n > 0", name=op.f("ck_guildkit_seasons_top_n_positive")),
        sa.CheckConstraint("(top_n IS NULL) = (badge IS NULL)", name=op.f("ck_guildkit_seasons_top_n_with_badge")),
        sa.CheckConstraint(
            "defined_badge IS NULL OR defined_badge = badge", name=op.f("ck_guildkit_seasons_defined_badge_is_badge")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_seasons_created_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_seasons_closed_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_seasons")),
        sa.UniqueConstraint("slug", name=op.f("uq_guildkit_seasons_slug")),
        sa.UniqueConstraint("defined_badge", name=op.f("uq_guildkit_seasons_defined_badge")),
    )
    op.create_index("ix_guildkit_seasons_starts_at", "guildkit_seasons", ["starts_at", "id"], unique=False)
    op.create_table(
        "guildkit_season_standings",
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_season_standings_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["guildkit_seasons.id"], name=op.f("fk_guildkit_season_standings_season_id_guildkit_seasons")
        ),
        sa.PrimaryKeyConstraint("season_id", "member_id", name=op.f("pk_guildkit_season_standings")),
    )
    op.create_index(
        "ix_guildkit_season_standings_rank",
        "guildkit_season_standings",
        ["season_id", sa.text("points DESC"), "member_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_guildkit_season_standings_rank", table_name="guildkit_season_standings")
    op.drop_table("guildkit_season_standings")
    op.drop_index("ix_guildkit_seasons_starts_at", table_name="guildkit_seasons")
    op.drop_table("guildkit_seasons")
