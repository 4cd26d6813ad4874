"""One audit log for every staff action: guildkit_audit (admin console, moderation, API tokens).

The admin and moderation branches move their own audit rows into it (admin_0002, moderation_0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "core_0002"
down_revision: str | Sequence[str] | None = "core_0001"


def upgrade() -> None:
    op.create_table(
        "guildkit_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=191), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=191), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_audit_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_audit")),
    )
    op.create_index("ix_guildkit_audit_action", "guildkit_audit", ["action", "id"], unique=False)
    op.create_index("ix_guildkit_audit_actor", "guildkit_audit", ["actor", "id"], unique=False)
    op.create_index("ix_guildkit_audit_area", "guildkit_audit", ["area", "id"], unique=False)
    op.create_index("ix_guildkit_audit_at", "guildkit_audit", ["at"], unique=False)
    op.create_index("ix_guildkit_audit_subject", "guildkit_audit", ["subject", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_guildkit_audit_subject", table_name="guildkit_audit")
    op.drop_index("ix_guildkit_audit_at", table_name="guildkit_audit")
    op.drop_index("ix_guildkit_audit_area", table_name="guildkit_audit")
    op.drop_index("ix_guildkit_audit_actor", table_name="guildkit_audit")
    op.drop_index("ix_guildkit_audit_action", table_name="guildkit_audit")
    op.drop_table("guildkit_audit")
