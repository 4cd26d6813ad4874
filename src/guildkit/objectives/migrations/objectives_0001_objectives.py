"""Community objectives and their KPI readings (guildkit/objectives/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "objectives_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=191), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("kpi", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("baseline_at", UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("final_value", sa.Float(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('at_least', 'at_most')", name=op.f("ck_guildkit_objectives_direction")),
        sa.CheckConstraint(
            "state IN ('active', 'met', 'missed', 'archived')", name=op.f("ck_guildkit_objectives_state")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('met', 'missed')", name=op.f("ck_guildkit_objectives_outcome")
        ),
        sa.CheckConstraint(
            "state NOT IN ('met', 'missed') OR outcome = state",
            name=op.f("ck_guildkit_objectives_decided_has_outcome"),
        ),
        sa.CheckConstraint(
            "state <> 'active' OR outcome IS NULL", name=op.f("ck_guildkit_objectives_active_undecided")
        ),
        sa.CheckConstraint("due_on > starts_on", name=op.f("ck_guildkit_objectives_due_after_start")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_objectives_owner_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_objectives_created_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_objectives")),
    )
    op.create_index("ix_guildkit_objectives_state_due", "guildkit_objectives", ["state", "due_on"], unique=False)
    op.create_index("ix_guildkit_objectives_owner", "guildkit_objectives", ["owner_id"], unique=False)
    op.create_table(
        "guildkit_objective_readings",
        sa.Column("kpi", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kpi", "day", name=op.f("pk_guildkit_objective_readings")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_objective_readings")
    op.drop_index("ix_guildkit_objectives_owner", table_name="guildkit_objectives")
    op.drop_index("ix_guildkit_objectives_state_due", table_name="guildkit_objectives")
    op.drop_table("guildkit_objectives")
