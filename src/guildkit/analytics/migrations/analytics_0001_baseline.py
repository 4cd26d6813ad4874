"""The analytics tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "analytics_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('csat', 'nps')", name=op.f("ck_guildkit_surveys_kind")),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_guildkit_surveys_period")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_surveys_created_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_surveys")),
        sa.UniqueConstraint("id", "kind", name="uq_guildkit_surveys_id_kind"),
    )
    op.create_index("ix_guildkit_surveys_period", "guildkit_surveys", ["opens_at", "closes_at"], unique=False)
    op.create_table(
        "guildkit_survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'nps' AND score BETWEEN 0 AND 10)",
            name=op.f("ck_guildkit_survey_responses_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_survey_responses_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id", "kind"],
            ["guildkit_surveys.id", "guildkit_surveys.kind"],
            name="fk_guildkit_survey_responses_survey",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_survey_responses")),
        sa.UniqueConstraint("survey_id", "member_id", name="uq_guildkit_survey_responses_once"),
    )


def downgrade() -> None:
    op.drop_table("guildkit_survey_responses")
    op.drop_index("ix_guildkit_surveys_period", table_name="guildkit_surveys")
    op.drop_table("guildkit_surveys")
