"""Community health and the admin console: surveys, console badges and roles, the admin audit, KPI indexes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 21:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_admin_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=191), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=191), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_admin_audit")),
    )

    with op.batch_alter_table("guildkit_admin_audit", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_admin_audit_action", ["action", "id"], unique=False)
        batch_op.create_index("ix_guildkit_admin_audit_actor", ["actor", "id"], unique=False)
        batch_op.create_index("ix_guildkit_admin_audit_at", ["at"], unique=False)

    op.create_table(
        "guildkit_console_badges",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("criterion", sa.String(length=16), nullable=False),
        sa.Column("activity_type", sa.String(length=100), nullable=True),
        sa.Column("subject_role", sa.String(length=8), nullable=False),
        sa.Column("point_type", sa.String(length=100), nullable=True),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("image_data", sa.LargeBinary(), nullable=True),
        sa.Column("image_type", sa.String(length=32), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "criterion IN ('count', 'points', 'each', 'manual')", name=op.f("ck_guildkit_console_badges_criterion")
        ),
        sa.CheckConstraint("subject_role IN ('actor', 'target')", name=op.f("ck_guildkit_console_badges_subject_role")),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_console_badges")),
    )

    op.create_table(
        "guildkit_console_roles",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_console_roles")),
    )

    op.create_table(
        "guildkit_definitions_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_definitions_version")),
    )

    op.create_table(
        "guildkit_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('csat', 'nps')", name=op.f("ck_guildkit_surveys_kind")),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_guildkit_surveys_period")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_surveys_created_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_surveys")),
        sa.UniqueConstraint("id", "kind", name="uq_guildkit_surveys_id_kind"),
    )

    with op.batch_alter_table("guildkit_surveys", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_surveys_period", ["opens_at", "closes_at"], unique=False)

    op.create_table(
        "guildkit_survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
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

    with op.batch_alter_table("guildkit_activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_guildkit_activities_live_time",
            ["occurred_at", "actor_id", "type"],
            unique=False,
            sqlite_where=sa.text("retracted_at IS NULL"),
            postgresql_where=sa.text("retracted_at IS NULL"),
        )

    with op.batch_alter_table("guildkit_members", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_members_joined", ["joined_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guildkit_members", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_members_joined")

    with op.batch_alter_table("guildkit_activities", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_guildkit_activities_live_time",
            sqlite_where=sa.text("retracted_at IS NULL"),
            postgresql_where=sa.text("retracted_at IS NULL"),
        )

    op.drop_table("guildkit_survey_responses")

    with op.batch_alter_table("guildkit_surveys", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_surveys_period")

    op.drop_table("guildkit_surveys")

    op.drop_table("guildkit_definitions_version")

    op.drop_table("guildkit_console_roles")

    op.drop_table("guildkit_console_badges")

    with op.batch_alter_table("guildkit_admin_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_admin_audit_at")
        batch_op.drop_index("ix_guildkit_admin_audit_actor")
        batch_op.drop_index("ix_guildkit_admin_audit_action")

    op.drop_table("guildkit_admin_audit")
