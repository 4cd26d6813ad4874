"""Trust and safety: mediations, appeals, hidden cases, weighted and system reports, overturned sanctions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 21:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_mediations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
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

    with op.batch_alter_table("guildkit_mediations", schema=None) as batch_op:
        batch_op.create_index(
            "guildkit_mediations_one_open",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.create_index(batch_op.f("ix_guildkit_mediations_case_id"), ["case_id"], unique=False)

    op.create_table(
        "guildkit_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sanction_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
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

    with op.batch_alter_table("guildkit_appeals", schema=None) as batch_op:
        batch_op.create_index("guildkit_appeals_state", ["state", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_guildkit_appeals_member_id"), ["member_id"], unique=False)

    op.create_table(
        "guildkit_mediation_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mediation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
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

    with op.batch_alter_table("guildkit_mediation_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guildkit_mediation_statements_mediation_id"), ["mediation_id"], unique=False
        )

    with op.batch_alter_table("guildkit_moderation_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("guildkit_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_level", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("weight", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch_op.alter_column("reporter_id", existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table("guildkit_sanctions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overturned_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guildkit_sanctions", schema=None) as batch_op:
        batch_op.drop_column("overturned_at")

    with op.batch_alter_table("guildkit_reports", schema=None) as batch_op:
        batch_op.alter_column("reporter_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("details")
        batch_op.drop_column("weight")
        batch_op.drop_column("reporter_level")

    with op.batch_alter_table("guildkit_moderation_cases", schema=None) as batch_op:
        batch_op.drop_column("hidden")

    with op.batch_alter_table("guildkit_mediation_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guildkit_mediation_statements_mediation_id"))

    op.drop_table("guildkit_mediation_statements")

    with op.batch_alter_table("guildkit_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guildkit_appeals_member_id"))
        batch_op.drop_index("guildkit_appeals_state")

    op.drop_table("guildkit_appeals")

    with op.batch_alter_table("guildkit_mediations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guildkit_mediations_case_id"))
        batch_op.drop_index(
            "guildkit_mediations_one_open",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    op.drop_table("guildkit_mediations")
