"""Point types: weekly caps and per actor→target weekly caps.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 21:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guildkit_point_types") as batch:
        batch.add_column(sa.Column("weekly_cap", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pair_weekly_cap", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guildkit_point_types") as batch:
        batch.drop_column("pair_weekly_cap")
        batch.drop_column("weekly_cap")
