"""The moderation audit rows move into guildkit's one audit log (guildkit_audit, made by core_0002).

Members there are named by host user id (the actor) and by member id (whom the action concerns,
``member_id``, with ``target`` ``member:<user id>``); a row's case becomes its ``subject``,
``case:<id>``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit import schema_0_1
from guildkit.models.base import UTCDateTime

revision: str = "moderation_0002"
down_revision: str | Sequence[str] | None = "moderation_0001"

OLD = sa.table(
    "guildkit_moderation_audit",
    sa.column("id", sa.Integer()),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("target_id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
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
    sa.column("member_id", sa.Integer()),
    sa.column("subject", sa.String()),
    sa.column("reason", sa.Text()),
    sa.column("details", sa.JSON()),
    sa.column("at", UTCDateTime()),
)
MEMBERS = sa.table("guildkit_members", sa.column("id", sa.Integer()), sa.column("user_id", sa.String()))


def _user(member_id: sa.ColumnElement[int]) -> sa.ScalarSelect[str]:
    return sa.select(MEMBERS.c.user_id).where(MEMBERS.c.id == member_id).scalar_subquery()


def _member(user_id: sa.ColumnElement[str]) -> sa.ScalarSelect[int]:
    return sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id).scalar_subquery()


def upgrade() -> None:
    moved = sa.select(
        sa.literal("moderation"),
        _user(OLD.c.actor_id),
        OLD.c.action,
        sa.case((OLD.c.target_id.is_(None), sa.null()), else_=sa.literal("member:") + _user(OLD.c.target_id)),
        OLD.c.target_id,
        sa.case((OLD.c.case_id.is_(None), sa.null()), else_=sa.literal("case:") + sa.cast(OLD.c.case_id, sa.String)),
        OLD.c.reason,
        OLD.c.details,
        OLD.c.at,
    ).order_by(OLD.c.at, OLD.c.id)
    columns = ["area", "actor", "action", "target", "member_id", "subject", "reason", "details", "at"]
    op.execute(LOG.insert().from_select(columns, moved))
    op.drop_table("guildkit_moderation_audit")


def downgrade() -> None:
    schema_0_1.create_moderation_audit()
    case_id = sa.cast(sa.func.substr(LOG.c.subject, 6), sa.Integer)
    back = sa.select(
        _member(LOG.c.actor), LOG.c.action, LOG.c.member_id, case_id, LOG.c.reason, LOG.c.details, LOG.c.at
    )
    columns = ["actor_id", "action", "target_id", "case_id", "reason", "details", "at"]
    op.execute(OLD.insert().from_select(columns, back.where(LOG.c.area == "moderation")))
    op.execute(LOG.delete().where(LOG.c.area == "moderation"))
