"""A member's own language and time zone for guildkit's pages and emails (``NULL``: the host's)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0010"
down_revision: str | Sequence[str] | None = "core_0009"


def upgrade() -> None:
    op.add_column("guildkit_members", sa.Column("locale", sa.String(35), nullable=True))
    op.add_column("guildkit_members", sa.Column("time_zone", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guildkit_members") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("locale")
