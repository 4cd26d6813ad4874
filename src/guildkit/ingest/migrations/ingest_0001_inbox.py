"""The ingest feature's inbox: activities accepted for later (guildkit/ingest/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "ingest_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_ingest_inbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=191), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=191), nullable=True),
        sa.Column("target", sa.String(length=191), nullable=True),
        sa.Column("subject", sa.String(length=191), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'failed')", name=op.f("ck_guildkit_ingest_inbox_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_ingest_inbox")),
        sa.UniqueConstraint("key", name=op.f("uq_guildkit_ingest_inbox_key")),
    )
    op.create_index("ix_guildkit_ingest_inbox_status", "guildkit_ingest_inbox", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_guildkit_ingest_inbox_status", table_name="guildkit_ingest_inbox")
    op.drop_table("guildkit_ingest_inbox")
