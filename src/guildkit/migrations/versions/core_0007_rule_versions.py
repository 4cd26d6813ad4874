"""Rule-set versions: guildkit_rule_versions (see guildkit.rules.versions).

Empty at first: the first start after the upgrade stores the rules it runs under as the first
version.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "core_0007"
down_revision: str | Sequence[str] | None = "core_0006"


def upgrade() -> None:
    op.create_table(
        "guildkit_rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_rule_versions")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_guildkit_rule_versions_content_hash")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_rule_versions")
