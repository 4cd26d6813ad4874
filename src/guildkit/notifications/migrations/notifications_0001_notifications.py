"""Notification preferences and the emails owed and sent (guildkit/notifications/models.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "notifications_0001"
down_revision: str | Sequence[str] | None = None

STATES = "state IN ('pending', 'sending', 'sent', 'skipped', 'failed')"


def upgrade() -> None:
    op.create_table(
        "guildkit_notification_preferences",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "delivery IN ('off', 'app', 'email', 'digest')", name=op.f("ck_guildkit_notification_preferences_delivery")
        ),
        sa.CheckConstraint(
            "kind <> '*' OR delivery = 'app'", name=op.f("ck_guildkit_notification_preferences_all_kinds_in_app")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_notification_preferences_member_id_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("member_id", "kind", name=op.f("pk_guildkit_notification_preferences")),
    )
    op.create_table(
        "guildkit_notification_watermarks",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_guildkit_notification_watermarks")),
    )
    op.create_table(
        "guildkit_notification_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.CheckConstraint(STATES, name=op.f("ck_guildkit_notification_digests_state")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_notification_digests_member_id_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_notification_digests")),
        sa.UniqueConstraint("member_id", "week", name=op.f("uq_guildkit_notification_digests_member_id_week")),
    )
    op.create_index(
        "ix_guildkit_notification_digests_due",
        "guildkit_notification_digests",
        ["state", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "guildkit_notification_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("noted_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'digest')", name=op.f("ck_guildkit_notification_deliveries_channel")),
        sa.CheckConstraint(STATES, name=op.f("ck_guildkit_notification_deliveries_state")),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["guildkit_notification_digests.id"],
            name=op.f("fk_guildkit_notification_deliveries_digest_id_guildkit_notification_digests"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_notification_deliveries_member_id_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_notification_deliveries")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_guildkit_notification_deliveries_notification_id")),
    )
    op.create_index(
        "ix_guildkit_notification_deliveries_due",
        "guildkit_notification_deliveries",
        ["channel", "state", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        "ix_guildkit_notification_deliveries_member",
        "guildkit_notification_deliveries",
        ["member_id", "channel", "state"],
        unique=False,
    )
    op.create_index(
        "ix_guildkit_notification_deliveries_digest", "guildkit_notification_deliveries", ["digest_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_guildkit_notification_deliveries_digest", table_name="guildkit_notification_deliveries")
    op.drop_index("ix_guildkit_notification_deliveries_member", table_name="guildkit_notification_deliveries")
    op.drop_index("ix_guildkit_notification_deliveries_due", table_name="guildkit_notification_deliveries")
    op.drop_table("guildkit_notification_deliveries")
    op.drop_index("ix_guildkit_notification_digests_due", table_name="guildkit_notification_digests")
    op.drop_table("guildkit_notification_digests")
    op.drop_table("guildkit_notification_watermarks")
    op.drop_table("guildkit_notification_preferences")
