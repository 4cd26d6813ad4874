"""The admin audit rows move into guildkit's one audit log (guildkit_audit, made by core_0002).

Token actions go to area ``tokens`` (API tokens are the core's now), the rest to ``admin``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit import schema_0_1
from guildkit.models.base import UTCDateTime

revision: str = "admin_0002"
down_revision: str | Sequence[str] | None = "admin_0001"

OLD = sa.table(
    "guildkit_admin_audit",
    sa.column("id", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target", sa.String()),
    sa.column("reason", sa.Text()),
    sa.column("details", sa.JSON()),
    sa.column("at", UTCDateTime()),
)
LOG = sa.table(
    "guildkit_audit",
    sa.column("area", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target", sa.String()),
    sa.column("reason", sa.Text()),
    sa.column("details", sa.JSON()),
    sa.column("at", UTCDateTime()),
)
AREA = sa.case((OLD.c.action.like("token.%"), sa.literal("tokens")), else_=sa.literal("admin"))


def upgrade() -> None:
    columns = ("actor", "action", "target", "reason", "details", "at")
    moved = sa.select(AREA, *(OLD.c[name] for name in columns)).order_by(OLD.c.at, OLD.c.id)
    op.execute(LOG.insert().from_select(["area", *columns], moved))
    op.drop_index("ix_guildkit_admin_audit_at", table_name="guildkit_admin_audit")
    op.drop_index("ix_guildkit_admin_audit_actor", table_name="guildkit_admin_audit")
    op.drop_index("ix_guildkit_admin_audit_action", table_name="guildkit_admin_audit")
    op.drop_table("guildkit_admin_audit")


def downgrade() -> None:
    schema_0_1.create_admin_audit()
    columns = ("actor", "action", "target", "reason", "details", "at")
    mine = LOG.c.area.in_(("admin", "tokens"))
    op.execute(OLD.insert().from_select(list(columns), sa.select(*(LOG.c[name] for name in columns)).where(mine)))
    op.execute(LOG.delete().where(mine))
