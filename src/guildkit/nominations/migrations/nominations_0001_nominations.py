"""Nominations and their votes (guildkit/nominations/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "nominations_0001"
down_revision: str | Sequence[str] | None = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    op.create_table(
        "guildkit_nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("nominator_id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("needed", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("approvals", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=False),
        sa.Column("award_key", sa.String(length=191), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'rejected', 'withdrawn', 'expired')",
            name=op.f("ck_guildkit_nominations_state_known"),
        ),
        sa.CheckConstraint("nominee_id <> nominator_id", name=op.f("ck_guildkit_nominations_not_self")),
        sa.CheckConstraint("level >= 1", name=op.f("ck_guildkit_nominations_level_positive")),
        sa.CheckConstraint("needed >= 1", name=op.f("ck_guildkit_nominations_needed_positive")),
        sa.CheckConstraint(
            "approvals >= 0 AND approvals <= needed", name=op.f("ck_guildkit_nominations_approvals_in_range")
        ),
        sa.CheckConstraint(
            "state = 'approved' OR approvals < needed", name=op.f("ck_guildkit_nominations_approved_when_reached")
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_nominations_nominee_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["nominator_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_nominations_nominator_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_nominations_decided_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_nominations")),
    )
    op.create_index(
        "uq_guildkit_nominations_pending",
        "guildkit_nominations",
        ["nominee_id", "badge", "level"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_index("ix_guildkit_nominations_state", "guildkit_nominations", ["state", "id"], unique=False)
    op.create_index("ix_guildkit_nominations_nominator", "guildkit_nominations", ["nominator_id", "id"], unique=False)
    op.create_index("ix_guildkit_nominations_nominee", "guildkit_nominations", ["nominee_id", "id"], unique=False)
    op.create_table(
        "guildkit_nomination_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve', 'reject')", name=op.f("ck_guildkit_nomination_votes_decision_known")
        ),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_nomination_votes_approver_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["guildkit_nominations.id"],
            name=op.f("fk_guildkit_nomination_votes_nomination_id_guildkit_nominations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_nomination_votes")),
        sa.UniqueConstraint(
            "nomination_id", "approver_id", name=op.f("uq_guildkit_nomination_votes_nomination_id_approver_id")
        ),
    )
    op.create_index(
        "ix_guildkit_nomination_votes_approver", "guildkit_nomination_votes", ["approver_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_guildkit_nomination_votes_approver", table_name="guildkit_nomination_votes")
    op.drop_table("guildkit_nomination_votes")
    op.drop_index("ix_guildkit_nominations_nominee", table_name="guildkit_nominations")
    op.drop_index("ix_guildkit_nominations_nominator", table_name="guildkit_nominations")
    op.drop_index("ix_guildkit_nominations_state", table_name="guildkit_nominations")
    op.drop_index("uq_guildkit_nominations_pending", table_name="guildkit_nominations")
    op.drop_table("guildkit_nominations")
