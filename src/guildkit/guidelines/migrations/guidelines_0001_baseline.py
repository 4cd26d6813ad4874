"""The guidelines tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "guidelines_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_guidelines",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=191), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_guildkit_guidelines_version_positive")),
        sa.ForeignKeyConstraint(
            ["published_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_guidelines_published_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_guildkit_guidelines")),
    )
    op.create_table(
        "guildkit_guideline_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_guideline_acceptances_member_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["version"],
            ["guildkit_guidelines.version"],
            name=op.f("fk_guildkit_guideline_acceptances_version_guildkit_guidelines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_guideline_acceptances")),
        sa.UniqueConstraint("member_id", "version", name=op.f("uq_guildkit_guideline_acceptances_member_id_version")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_guideline_acceptances")
    op.drop_table("guildkit_guidelines")
