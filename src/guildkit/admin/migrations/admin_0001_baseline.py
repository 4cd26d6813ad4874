"""The admin tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "admin_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_admin_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=191), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=191), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_admin_audit")),
    )
    op.create_index("ix_guildkit_admin_audit_action", "guildkit_admin_audit", ["action", "id"], unique=False)
    op.create_index("ix_guildkit_admin_audit_actor", "guildkit_admin_audit", ["actor", "id"], unique=False)
    op.create_index("ix_guildkit_admin_audit_at", "guildkit_admin_audit", ["at"], unique=False)
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
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
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
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_console_roles")),
    )
    op.create_table(
        "guildkit_definitions_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_definitions_version")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_definitions_version")
    op.drop_table("guildkit_console_roles")
    op.drop_table("guildkit_console_badges")
    op.drop_index("ix_guildkit_admin_audit_at", table_name="guildkit_admin_audit")
    op.drop_index("ix_guildkit_admin_audit_actor", table_name="guildkit_admin_audit")
    op.drop_index("ix_guildkit_admin_audit_action", table_name="guildkit_admin_audit")
    op.drop_table("guildkit_admin_audit")
