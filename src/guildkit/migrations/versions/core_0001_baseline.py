"""The core tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime
from guildkit.models.points import ledger_guard_ddl

revision: str = "core_0001"
down_revision: str | Sequence[str] | None = None

#: Row ids that may grow past 2**31 (``INTEGER`` on SQLite, so they stay rowid aliases).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: SQL removing what ``ledger_guard_ddl`` created, per dialect.
LEDGER_GUARD_DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS guildkit_ledger_no_update",
        "DROP TRIGGER IF EXISTS guildkit_ledger_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS guildkit_ledger_append_only ON guildkit_ledger",
        "DROP FUNCTION IF EXISTS guildkit_ledger_append_only()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "guildkit_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=191), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_guildkit_api_tokens_token_hash")),
    )
    op.create_table(
        "guildkit_badges",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("repeatable", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("image", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_badges")),
    )
    op.create_table(
        "guildkit_hook_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(length=191), nullable=False),
        sa.Column("hook", sa.String(length=191), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("activity_key", sa.String(length=191), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_hook_failures")),
    )
    op.create_table(
        "guildkit_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=191), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=191), nullable=True),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'banned', 'deleted')", name=op.f("ck_guildkit_members_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_members")),
        sa.UniqueConstraint("user_id", name=op.f("uq_guildkit_members_user_id")),
    )
    op.create_index("ix_guildkit_members_joined", "guildkit_members", ["joined_at"], unique=False)
    op.create_table(
        "guildkit_point_types",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("weekly_cap", sa.Integer(), nullable=True),
        sa.Column("pair_weekly_cap", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_point_types")),
    )
    op.create_table(
        "guildkit_roles",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_roles")),
    )
    op.create_table(
        "guildkit_activities",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=191), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=191), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("retracted_at", UTCDateTime(), nullable=True),
        sa.Column("retract_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_activities_actor_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_activities_target_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_activities")),
        sa.UniqueConstraint("key", name=op.f("uq_guildkit_activities_key")),
    )
    op.create_index("ix_guildkit_activities_actor", "guildkit_activities", ["actor_id", "occurred_at"], unique=False)
    op.create_index(
        "ix_guildkit_activities_live_time",
        "guildkit_activities",
        ["occurred_at", "actor_id", "type"],
        unique=False,
        sqlite_where=sa.text("retracted_at IS NULL"),
        postgresql_where=sa.text("retracted_at IS NULL"),
    )
    op.create_index("ix_guildkit_activities_subject", "guildkit_activities", ["subject"], unique=False)
    op.create_index("ix_guildkit_activities_target", "guildkit_activities", ["target_id", "occurred_at"], unique=False)
    op.create_index("ix_guildkit_activities_type", "guildkit_activities", ["type", "occurred_at"], unique=False)
    op.create_table(
        "guildkit_balances",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("point_type", sa.String(length=100), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_balances_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["point_type"],
            ["guildkit_point_types.slug"],
            name=op.f("fk_guildkit_balances_point_type_guildkit_point_types"),
        ),
        sa.PrimaryKeyConstraint("member_id", "point_type", name=op.f("pk_guildkit_balances")),
    )
    op.create_table(
        "guildkit_counters",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_counters_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("member_id", "name", name=op.f("pk_guildkit_counters")),
    )
    op.create_table(
        "guildkit_distinct",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("value", sa.String(length=191), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_distinct_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("member_id", "name", "value", name=op.f("pk_guildkit_distinct")),
    )
    op.create_table(
        "guildkit_badge_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("badge_slug", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("once", sa.Boolean(), nullable=False),
        sa.Column("activity_id", BIG_ID, nullable=True),
        sa.Column("rule", sa.String(length=191), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("awarded_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("revoked_by_activity_id", BIG_ID, nullable=True),
        sa.CheckConstraint("level >= 1", name=op.f("ck_guildkit_badge_awards_level_positive")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["guildkit_activities.id"],
            name=op.f("fk_guildkit_badge_awards_activity_id_guildkit_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["badge_slug"], ["guildkit_badges.slug"], name=op.f("fk_guildkit_badge_awards_badge_slug_guildkit_badges")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_badge_awards_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_activity_id"],
            ["guildkit_activities.id"],
            name=op.f("fk_guildkit_badge_awards_revoked_by_activity_id_guildkit_activities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_badge_awards")),
    )
    op.create_index("ix_guildkit_badge_awards_activity", "guildkit_badge_awards", ["activity_id"], unique=False)
    op.create_index(
        "ix_guildkit_badge_awards_badge", "guildkit_badge_awards", ["badge_slug", "awarded_at"], unique=False
    )
    op.create_index(
        "uq_guildkit_badge_awards_once",
        "guildkit_badge_awards",
        ["member_id", "badge_slug", "level"],
        unique=True,
        sqlite_where=sa.text("once AND revoked_at IS NULL"),
        postgresql_where=sa.text("once AND revoked_at IS NULL"),
    )
    op.create_table(
        "guildkit_ledger",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("point_type", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("activity_id", BIG_ID, nullable=False),
        sa.Column("rule", sa.String(length=191), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("reverses_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["guildkit_activities.id"], name=op.f("fk_guildkit_ledger_activity_id_guildkit_activities")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_ledger_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["point_type"],
            ["guildkit_point_types.slug"],
            name=op.f("fk_guildkit_ledger_point_type_guildkit_point_types"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["guildkit_ledger.id"], name=op.f("fk_guildkit_ledger_reverses_id_guildkit_ledger")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_ledger")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_guildkit_ledger_reverses_id")),
    )
    op.create_index("ix_guildkit_ledger_activity", "guildkit_ledger", ["activity_id"], unique=False)
    op.create_index("ix_guildkit_ledger_member", "guildkit_ledger", ["member_id", "point_type", "id"], unique=False)
    op.create_index("ix_guildkit_ledger_type_time", "guildkit_ledger", ["point_type", "created_at"], unique=False)
    op.create_table(
        "guildkit_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("activity_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["guildkit_activities.id"],
            name=op.f("fk_guildkit_notifications_activity_id_guildkit_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_notifications_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_notifications")),
    )
    op.create_index("ix_guildkit_notifications_member", "guildkit_notifications", ["member_id", "id"], unique=False)
    op.create_table(
        "guildkit_role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role_slug", sa.String(length=100), nullable=False),
        sa.Column("activity_id", BIG_ID, nullable=True),
        sa.Column("rule", sa.String(length=191), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("revoked_by_activity_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["guildkit_activities.id"],
            name=op.f("fk_guildkit_role_grants_activity_id_guildkit_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_role_grants_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_activity_id"],
            ["guildkit_activities.id"],
            name=op.f("fk_guildkit_role_grants_revoked_by_activity_id_guildkit_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["role_slug"], ["guildkit_roles.slug"], name=op.f("fk_guildkit_role_grants_role_slug_guildkit_roles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_role_grants")),
    )
    op.create_index(
        "uq_guildkit_role_grants_live",
        "guildkit_role_grants",
        ["member_id", "role_slug"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    # Leaderboards read "top N by balance" per point type.
    op.create_index(
        "ix_guildkit_balances_rank",
        "guildkit_balances",
        ["point_type", sa.desc(sa.column("balance")), "member_id"],
    )
    # The ledger is append-only: the database itself refuses UPDATE and DELETE.
    for statement in ledger_guard_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in LEDGER_GUARD_DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index("ix_guildkit_balances_rank", table_name="guildkit_balances")
    op.drop_index(
        "uq_guildkit_role_grants_live",
        table_name="guildkit_role_grants",
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_table("guildkit_role_grants")
    op.drop_index("ix_guildkit_notifications_member", table_name="guildkit_notifications")
    op.drop_table("guildkit_notifications")
    op.drop_index("ix_guildkit_ledger_type_time", table_name="guildkit_ledger")
    op.drop_index("ix_guildkit_ledger_member", table_name="guildkit_ledger")
    op.drop_index("ix_guildkit_ledger_activity", table_name="guildkit_ledger")
    op.drop_table("guildkit_ledger")
    op.drop_index(
        "uq_guildkit_badge_awards_once",
        table_name="guildkit_badge_awards",
        sqlite_where=sa.text("once AND revoked_at IS NULL"),
        postgresql_where=sa.text("once AND revoked_at IS NULL"),
    )
    op.drop_index("ix_guildkit_badge_awards_badge", table_name="guildkit_badge_awards")
    op.drop_index("ix_guildkit_badge_awards_activity", table_name="guildkit_badge_awards")
    op.drop_table("guildkit_badge_awards")
    op.drop_table("guildkit_distinct")
    op.drop_table("guildkit_counters")
    op.drop_table("guildkit_balances")
    op.drop_index("ix_guildkit_activities_type", table_name="guildkit_activities")
    op.drop_index("ix_guildkit_activities_target", table_name="guildkit_activities")
    op.drop_index("ix_guildkit_activities_subject", table_name="guildkit_activities")
    op.drop_index(
        "ix_guildkit_activities_live_time",
        table_name="guildkit_activities",
        sqlite_where=sa.text("retracted_at IS NULL"),
        postgresql_where=sa.text("retracted_at IS NULL"),
    )
    op.drop_index("ix_guildkit_activities_actor", table_name="guildkit_activities")
    op.drop_table("guildkit_activities")
    op.drop_table("guildkit_roles")
    op.drop_table("guildkit_point_types")
    op.drop_index("ix_guildkit_members_joined", table_name="guildkit_members")
    op.drop_table("guildkit_members")
    op.drop_table("guildkit_hook_failures")
    op.drop_table("guildkit_badges")
    op.drop_table("guildkit_api_tokens")
