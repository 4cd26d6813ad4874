"""Moderation: reports grouped into cases, case notes, sanctions and the audit log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 20:35:44.541864
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_moderation_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=191), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_guildkit_moderation_cases_case_status")),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_moderation_cases_assigned_to_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_moderation_cases_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_moderation_cases_resolved_by_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_moderation_cases")),
    )
    with op.batch_alter_table("guildkit_moderation_cases", schema=None) as batch_op:
        batch_op.create_index(
            "guildkit_moderation_cases_one_open",
            ["subject"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.create_index("guildkit_moderation_cases_status", ["status", "severity"], unique=False)

    op.create_table(
        "guildkit_case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_case_notes_author_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_case_notes_case_id_guildkit_moderation_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_case_notes")),
    )
    op.create_table(
        "guildkit_moderation_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_moderation_audit_actor_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_moderation_audit_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_moderation_audit_target_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_moderation_audit")),
    )
    op.create_table(
        "guildkit_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=191), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('spam', 'harassment', 'off-topic', 'other')", name=op.f("ck_guildkit_reports_report_category")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_reports_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_reports_reporter_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_reports")),
        sa.UniqueConstraint("reporter_id", "subject", name=op.f("uq_guildkit_reports_reporter_id_subject")),
    )
    op.create_table(
        "guildkit_sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('warn', 'mute', 'suspend', 'ban')", name=op.f("ck_guildkit_sanctions_sanction_kind")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_sanctions_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_sanctions_created_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_sanctions_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_sanctions")),
    )
    with op.batch_alter_table("guildkit_sanctions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guildkit_sanctions_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guildkit_sanctions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guildkit_sanctions_member_id"))

    op.drop_table("guildkit_sanctions")
    op.drop_table("guildkit_reports")
    op.drop_table("guildkit_moderation_audit")
    op.drop_table("guildkit_case_notes")
    with op.batch_alter_table("guildkit_moderation_cases", schema=None) as batch_op:
        batch_op.drop_index("guildkit_moderation_cases_status")
        batch_op.drop_index(
            "guildkit_moderation_cases_one_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.drop_table("guildkit_moderation_cases")
