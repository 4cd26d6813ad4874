"""Leaderboards leave out the holders of excluded roles (``GUILDKIT_LEADERBOARD_EXCLUDED_ROLES``):
guildkit_roles.leaderboard_excluded, guildkit_members.excluded_roles and the triggers keeping
them (see guildkit.models.scores).

No role is flagged yet, so every member's count is 0 (the column's default, which the backfill
confirms) and the histogram stays as it is. The configured roles are flagged when the app next
starts (``flask guildkit db upgrade`` does it too): the triggers then move their holders off.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.scores import count_excluded_roles, drop_score_counts_ddl, score_counts_ddl

revision: str = "core_0006"
down_revision: str | Sequence[str] | None = "core_0005"


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column(
        "guildkit_roles",
        sa.Column("leaderboard_excluded", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("guildkit_members", sa.Column("excluded_roles", sa.Integer(), server_default="0", nullable=False))
    # SQLite keeps a trigger's text as created: replace the histogram's, whose "listed" changed.
    for statement in drop_score_counts_ddl(bind.dialect.name) + score_counts_ddl(bind.dialect.name):
        bind.exec_driver_sql(statement)
    count_excluded_roles(bind)


def downgrade() -> None:
    bind = op.get_bind()
    # Everyone left out comes back first, while the triggers still move their scores.
    bind.exec_driver_sql("UPDATE guildkit_members SET excluded_roles = 0 WHERE excluded_roles <> 0")
    for statement in drop_score_counts_ddl(bind.dialect.name):
        bind.exec_driver_sql(statement)
    with op.batch_alter_table("guildkit_members") as batch:
        batch.drop_column("excluded_roles")
    with op.batch_alter_table("guildkit_roles") as batch:
        batch.drop_column("leaderboard_excluded")
    for statement in score_counts_ddl(bind.dialect.name, exclusions=False):
        bind.exec_driver_sql(statement)
