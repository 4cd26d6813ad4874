"""Events count their revisions: ``guildkit_events.sequence``, the iCalendar ``SEQUENCE``.

Events that exist already start at 0 (the server default), as a new event does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "events_0002"
down_revision: str | Sequence[str] | None = "events_0001"


def upgrade() -> None:
    with op.batch_alter_table("guildkit_events") as batch:
        batch.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("guildkit_events") as batch:
        batch.drop_column("sequence")
