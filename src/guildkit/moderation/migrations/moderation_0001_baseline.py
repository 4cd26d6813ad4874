"""The moderation tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "moderation_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_moderation_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=191), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
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
    op.create_index(
        "guildkit_moderation_cases_one_open",
        "guildkit_moderation_cases",
        ["subject"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "guildkit_moderation_cases_status", "guildkit_moderation_cases", ["status", "severity"], unique=False
    )
    op.create_table(
        "guildkit_case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
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
        "guildkit_mediations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'agreed', 'abandoned')", name=op.f("ck_guildkit_mediations_mediation_state")
        ),
        sa.CheckConstraint("respondent_id <> party_id", name=op.f("ck_guildkit_mediations_mediation_two_parties")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_mediations_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_mediations_mediator_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_mediations_party_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_mediations_respondent_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_mediations_started_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mediations")),
    )
    op.create_index(
        "guildkit_mediations_one_open",
        "guildkit_mediations",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index(op.f("ix_guildkit_mediations_case_id"), "guildkit_mediations", ["case_id"], unique=False)
    op.create_table(
        "guildkit_moderation_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
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
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=191), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reporter_level", sa.Integer(), nullable=True),
        sa.Column("weight", sa.Integer(), server_default="1", nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
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
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("overturned_at", UTCDateTime(), nullable=True),
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
    op.create_index(op.f("ix_guildkit_sanctions_member_id"), "guildkit_sanctions", ["member_id"], unique=False)
    op.create_table(
        "guildkit_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sanction_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'upheld', 'overturned')", name=op.f("ck_guildkit_appeals_appeal_state")
        ),
        sa.CheckConstraint(
            "(sanction_id IS NULL) <> (case_id IS NULL)", name=op.f("ck_guildkit_appeals_appeal_one_action")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_appeals_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_appeals_decided_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_appeals_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["sanction_id"], ["guildkit_sanctions.id"], name=op.f("fk_guildkit_appeals_sanction_id_guildkit_sanctions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_appeals")),
        sa.UniqueConstraint("case_id", name=op.f("uq_guildkit_appeals_case_id")),
        sa.UniqueConstraint("sanction_id", name=op.f("uq_guildkit_appeals_sanction_id")),
    )
    op.create_index("guildkit_appeals_state", "guildkit_appeals", ["state", "created_at"], unique=False)
    op.create_index(op.f("ix_guildkit_appeals_member_id"), "guildkit_appeals", ["member_id"], unique=False)
    op.create_table(
        "guildkit_mediation_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mediation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_mediation_statements_author_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["mediation_id"],
            ["guildkit_mediations.id"],
            name=op.f("fk_guildkit_mediation_statements_mediation_id_guildkit_mediations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mediation_statements")),
    )
    op.create_index(
        op.f("ix_guildkit_mediation_statements_mediation_id"),
        "guildkit_mediation_statements",
        ["mediation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_guildkit_mediation_statements_mediation_id"), table_name="guildkit_mediation_statements")
    op.drop_table("guildkit_mediation_statements")
    op.drop_index(op.f("ix_guildkit_appeals_member_id"), table_name="guildkit_appeals")
    op.drop_index("guildkit_appeals_state", table_name="guildkit_appeals")
    op.drop_table("guildkit_appeals")
    op.drop_index(op.f("ix_guildkit_sanctions_member_id"), table_name="guildkit_sanctions")
    op.drop_table("guildkit_sanctions")
    op.drop_table("guildkit_reports")
    op.drop_table("guildkit_moderation_audit")
    op.drop_index(op.f("ix_guildkit_mediations_case_id"), table_name="guildkit_mediations")
    op.drop_index(
        "guildkit_mediations_one_open",
        table_name="guildkit_mediations",
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.drop_table("guildkit_mediations")
    op.drop_table("guildkit_case_notes")
    op.drop_index("guildkit_moderation_cases_status", table_name="guildkit_moderation_cases")
    op.drop_index(
        "guildkit_moderation_cases_one_open",
        table_name="guildkit_moderation_cases",
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_table("guildkit_moderation_cases")
