"""Point expiry (guildkit.expiry): a point type may say its points expire N days after they were
earned (guildkit_point_types.expires_after_days), and guildkit_expiry_sweeps remembers, per point
type, the last local day whose expiries were written.

Nothing expires until a point type says so; then the first sweep writes what is due.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "core_0008"
down_revision: str | Sequence[str] | None = "core_0007"


def upgrade() -> None:
    op.add_column("guildkit_point_types", sa.Column("expires_after_days", sa.Integer(), nullable=True))
    op.create_table(
        "guildkit_expiry_sweeps",
        sa.Column("point_type", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("swept_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("point_type", name=op.f("pk_guildkit_expiry_sweeps")),
    )


def downgrade() -> None:
    op.drop_table("guildkit_expiry_sweeps")
    with op.batch_alter_table("guildkit_point_types") as batch:
        batch.drop_column("expires_after_days")
