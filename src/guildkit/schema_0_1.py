"""The schema guildkit 0.1 left (its last revision, 0009), split by the part that owns each table.

Frozen: it describes what 0.1 made, never what the models say now. Each branch's first revision
(``core_0001``, ``mentorship_0001`` …) is ``upgrade, downgrade = steps("<branch>")``: new databases
create their part of it; 0.1's databases are stamped at it without running it (guildkit.migrate).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime
from guildkit.models.points import ledger_guard_ddl

#: The tables 0.1 made, by the branch that owns each now.
TABLES: dict[str, tuple[str, ...]] = {
    "core": (
        "guildkit_activities",
        "guildkit_api_tokens",
        "guildkit_badge_awards",
        "guildkit_badges",
        "guildkit_balances",
        "guildkit_counters",
        "guildkit_distinct",
        "guildkit_hook_failures",
        "guildkit_ledger",
        "guildkit_members",
        "guildkit_notifications",
        "guildkit_point_types",
        "guildkit_role_grants",
        "guildkit_roles",
    ),
    "trust": (
        "guildkit_trust_levels",
        "guildkit_trust_sweeps",
    ),
    "guidelines": (
        "guildkit_guideline_acceptances",
        "guildkit_guidelines",
    ),
    "mentorship": (
        "guildkit_mentor_profiles",
        "guildkit_mentorship_checkins",
        "guildkit_mentorship_feedback",
        "guildkit_mentorships",
    ),
    "events": (
        "guildkit_attendances",
        "guildkit_event_organizers",
        "guildkit_events",
        "guildkit_rsvps",
    ),
    "moderation": (
        "guildkit_appeals",
        "guildkit_case_notes",
        "guildkit_mediation_statements",
        "guildkit_mediations",
        "guildkit_moderation_audit",
        "guildkit_moderation_cases",
        "guildkit_reports",
        "guildkit_sanctions",
    ),
    "analytics": (
        "guildkit_survey_responses",
        "guildkit_surveys",
    ),
    "admin": (
        "guildkit_admin_audit",
        "guildkit_console_badges",
        "guildkit_console_roles",
        "guildkit_definitions_version",
    ),
}

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


def _create_core() -> None:
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


def _drop_core() -> None:
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


def _create_trust() -> None:
    op.create_table(
        "guildkit_trust_sweeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("swept_at", UTCDateTime(), nullable=False),
        sa.Column("last_activity_id", BIG_ID, nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_trust_sweeps")),
    )
    op.create_table(
        "guildkit_trust_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("lapsed_since", UTCDateTime(), nullable=True),
        sa.CheckConstraint("level >= 0 AND level <= 4", name=op.f("ck_guildkit_trust_levels_level_range")),
        sa.ForeignKeyConstraint(
            ["locked_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_trust_levels_locked_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_trust_levels_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_trust_levels")),
        sa.UniqueConstraint("member_id", name=op.f("uq_guildkit_trust_levels_member_id")),
    )


def _drop_trust() -> None:
    op.drop_table("guildkit_trust_levels")
    op.drop_table("guildkit_trust_sweeps")


def _create_guidelines() -> None:
    op.create_table(
        "guildkit_guidelines",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=191), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_guildkit_guidelines_version_positive")),
        sa.ForeignKeyConstraint(
            ["published_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_guidelines_published_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_guildkit_guidelines")),
    )
    op.create_table(
        "guildkit_guideline_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_guideline_acceptances_member_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["version"],
            ["guildkit_guidelines.version"],
            name=op.f("fk_guildkit_guideline_acceptances_version_guildkit_guidelines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_guideline_acceptances")),
        sa.UniqueConstraint("member_id", "version", name=op.f("uq_guildkit_guideline_acceptances_member_id_version")),
    )


def _drop_guidelines() -> None:
    op.drop_table("guildkit_guideline_acceptances")
    op.drop_table("guildkit_guidelines")


def _create_mentorship() -> None:
    op.create_table(
        "guildkit_mentor_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("availability", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("pitch", sa.Text(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_guildkit_mentor_profiles_capacity_positive")),
        sa.CheckConstraint("taken >= 0", name=op.f("ck_guildkit_mentor_profiles_taken_non_negative")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_mentor_profiles_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mentor_profiles")),
        sa.UniqueConstraint("member_id", name=op.f("uq_guildkit_mentor_profiles_member_id")),
    )
    op.create_table(
        "guildkit_mentorships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("mentor_confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("mentee_confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("retained_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('requested', 'accepted', 'declined', 'expired', 'withdrawn', 'active', 'completed', 'ended')",
            name=op.f("ck_guildkit_mentorships_state"),
        ),
        sa.CheckConstraint("mentor_id <> mentee_id", name=op.f("ck_guildkit_mentorships_not_self")),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_mentorships_ended_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_mentorships_mentee_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_mentorships_mentor_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mentorships")),
    )
    op.create_index("ix_guildkit_mentorships_mentee", "guildkit_mentorships", ["mentee_id", "state"], unique=False)
    op.create_index("ix_guildkit_mentorships_mentor", "guildkit_mentorships", ["mentor_id", "state"], unique=False)
    op.create_index("ix_guildkit_mentorships_state", "guildkit_mentorships", ["state", "requested_at"], unique=False)
    op.create_index(
        "uq_guildkit_mentorships_open_pair",
        "guildkit_mentorships",
        ["mentor_id", "mentee_id"],
        unique=True,
        sqlite_where=sa.text("state IN ('requested', 'accepted', 'active')"),
        postgresql_where=sa.text("state IN ('requested', 'accepted', 'active')"),
    )
    op.create_table(
        "guildkit_mentorship_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_mentorship_checkins_author_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["guildkit_mentorships.id"],
            name=op.f("fk_guildkit_mentorship_checkins_mentorship_id_guildkit_mentorships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mentorship_checkins")),
    )
    op.create_index(
        "ix_guildkit_mentorship_checkins_mentorship",
        "guildkit_mentorship_checkins",
        ["mentorship_id", "id"],
        unique=False,
    )
    op.create_table(
        "guildkit_mentorship_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("from_member_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_guildkit_mentorship_feedback_rating_range")),
        sa.ForeignKeyConstraint(
            ["from_member_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_mentorship_feedback_from_member_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["guildkit_mentorships.id"],
            name=op.f("fk_guildkit_mentorship_feedback_mentorship_id_guildkit_mentorships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mentorship_feedback")),
        sa.UniqueConstraint(
            "mentorship_id", "from_member_id", name=op.f("uq_guildkit_mentorship_feedback_mentorship_id_from_member_id")
        ),
    )


def _drop_mentorship() -> None:
    op.drop_table("guildkit_mentorship_feedback")
    op.drop_index("ix_guildkit_mentorship_checkins_mentorship", table_name="guildkit_mentorship_checkins")
    op.drop_table("guildkit_mentorship_checkins")
    op.drop_index(
        "uq_guildkit_mentorships_open_pair",
        table_name="guildkit_mentorships",
        sqlite_where=sa.text("state IN ('requested', 'accepted', 'active')"),
        postgresql_where=sa.text("state IN ('requested', 'accepted', 'active')"),
    )
    op.drop_index("ix_guildkit_mentorships_state", table_name="guildkit_mentorships")
    op.drop_index("ix_guildkit_mentorships_mentor", table_name="guildkit_mentorships")
    op.drop_index("ix_guildkit_mentorships_mentee", table_name="guildkit_mentorships")
    op.drop_table("guildkit_mentorships")
    op.drop_table("guildkit_mentor_profiles")


def _create_events() -> None:
    op.create_table(
        "guildkit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("checkin_code_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "visibility IN ('public', 'members', 'unlisted')", name=op.f("ck_guildkit_events_visibility")
        ),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name=op.f("ck_guildkit_events_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_guildkit_events_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_events_created_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_events")),
    )
    op.create_index("ix_guildkit_events_starts_at", "guildkit_events", ["starts_at", "id"], unique=False)
    op.create_table(
        "guildkit_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("method IN ('code', 'organizer')", name=op.f("ck_guildkit_attendances_method")),
        sa.ForeignKeyConstraint(
            ["checked_in_by"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_attendances_checked_in_by_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["guildkit_events.id"], name=op.f("fk_guildkit_attendances_event_id_guildkit_events")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_attendances_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_attendances")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_guildkit_attendances_event_id_member_id")),
    )
    op.create_index("ix_guildkit_attendances_member", "guildkit_attendances", ["member_id"], unique=False)
    op.create_table(
        "guildkit_event_organizers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["guildkit_events.id"], name=op.f("fk_guildkit_event_organizers_event_id_guildkit_events")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_event_organizers_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_event_organizers")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_guildkit_event_organizers_event_id_member_id")),
    )
    op.create_index("ix_guildkit_event_organizers_member", "guildkit_event_organizers", ["member_id"], unique=False)
    op.create_table(
        "guildkit_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waitlist_position", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)",
            name=op.f("ck_guildkit_rsvps_waitlist_position_when_waitlisted"),
        ),
        sa.CheckConstraint(
            "status IN ('going', 'maybe', 'not_going', 'waitlisted')", name=op.f("ck_guildkit_rsvps_status")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["guildkit_events.id"], name=op.f("fk_guildkit_rsvps_event_id_guildkit_events")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_rsvps_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_rsvps")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_guildkit_rsvps_event_id_member_id")),
        sa.UniqueConstraint("event_id", "waitlist_position", name="uq_guildkit_rsvps_waitlist_position"),
    )
    op.create_index("ix_guildkit_rsvps_event_status", "guildkit_rsvps", ["event_id", "status"], unique=False)
    op.create_index("ix_guildkit_rsvps_member", "guildkit_rsvps", ["member_id"], unique=False)


def _drop_events() -> None:
    op.drop_index("ix_guildkit_rsvps_member", table_name="guildkit_rsvps")
    op.drop_index("ix_guildkit_rsvps_event_status", table_name="guildkit_rsvps")
    op.drop_table("guildkit_rsvps")
    op.drop_index("ix_guildkit_event_organizers_member", table_name="guildkit_event_organizers")
    op.drop_table("guildkit_event_organizers")
    op.drop_index("ix_guildkit_attendances_member", table_name="guildkit_attendances")
    op.drop_table("guildkit_attendances")
    op.drop_index("ix_guildkit_events_starts_at", table_name="guildkit_events")
    op.drop_table("guildkit_events")


def _create_moderation() -> None:
    op.create_table(
        "guildkit_moderation_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=191), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_guildkit_moderation_cases_case_status")),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_moderation_cases_assigned_to_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_moderation_cases_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_moderation_cases_resolved_by_guildkit_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_moderation_cases")),
    )
    op.create_index(
        "guildkit_moderation_cases_one_open",
        "guildkit_moderation_cases",
        ["subject"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "guildkit_moderation_cases_status", "guildkit_moderation_cases", ["status", "severity"], unique=False
    )
    op.create_table(
        "guildkit_case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_case_notes_author_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_case_notes_case_id_guildkit_moderation_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_case_notes")),
    )
    op.create_table(
        "guildkit_mediations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'agreed', 'abandoned')", name=op.f("ck_guildkit_mediations_mediation_state")
        ),
        sa.CheckConstraint("respondent_id <> party_id", name=op.f("ck_guildkit_mediations_mediation_two_parties")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_mediations_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_mediations_mediator_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_mediations_party_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_mediations_respondent_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_mediations_started_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mediations")),
    )
    op.create_index(
        "guildkit_mediations_one_open",
        "guildkit_mediations",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index(op.f("ix_guildkit_mediations_case_id"), "guildkit_mediations", ["case_id"], unique=False)
    create_moderation_audit()
    op.create_table(
        "guildkit_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=191), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reporter_level", sa.Integer(), nullable=True),
        sa.Column("weight", sa.Integer(), server_default="1", nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "category IN ('spam', 'harassment', 'off-topic', 'other')", name=op.f("ck_guildkit_reports_report_category")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_reports_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_reports_reporter_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_reports")),
        sa.UniqueConstraint("reporter_id", "subject", name=op.f("uq_guildkit_reports_reporter_id_subject")),
    )
    op.create_table(
        "guildkit_sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("overturned_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('warn', 'mute', 'suspend', 'ban')", name=op.f("ck_guildkit_sanctions_sanction_kind")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_sanctions_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_sanctions_created_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_sanctions_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_sanctions")),
    )
    op.create_index(op.f("ix_guildkit_sanctions_member_id"), "guildkit_sanctions", ["member_id"], unique=False)
    op.create_table(
        "guildkit_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sanction_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'upheld', 'overturned')", name=op.f("ck_guildkit_appeals_appeal_state")
        ),
        sa.CheckConstraint(
            "(sanction_id IS NULL) <> (case_id IS NULL)", name=op.f("ck_guildkit_appeals_appeal_one_action")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_appeals_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_appeals_decided_by_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_appeals_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["sanction_id"], ["guildkit_sanctions.id"], name=op.f("fk_guildkit_appeals_sanction_id_guildkit_sanctions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_appeals")),
        sa.UniqueConstraint("case_id", name=op.f("uq_guildkit_appeals_case_id")),
        sa.UniqueConstraint("sanction_id", name=op.f("uq_guildkit_appeals_sanction_id")),
    )
    op.create_index("guildkit_appeals_state", "guildkit_appeals", ["state", "created_at"], unique=False)
    op.create_index(op.f("ix_guildkit_appeals_member_id"), "guildkit_appeals", ["member_id"], unique=False)
    op.create_table(
        "guildkit_mediation_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mediation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["guildkit_members.id"],
            name=op.f("fk_guildkit_mediation_statements_author_id_guildkit_members"),
        ),
        sa.ForeignKeyConstraint(
            ["mediation_id"],
            ["guildkit_mediations.id"],
            name=op.f("fk_guildkit_mediation_statements_mediation_id_guildkit_mediations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_mediation_statements")),
    )
    op.create_index(
        op.f("ix_guildkit_mediation_statements_mediation_id"),
        "guildkit_mediation_statements",
        ["mediation_id"],
        unique=False,
    )


def _drop_moderation() -> None:
    op.drop_index(op.f("ix_guildkit_mediation_statements_mediation_id"), table_name="guildkit_mediation_statements")
    op.drop_table("guildkit_mediation_statements")
    op.drop_index(op.f("ix_guildkit_appeals_member_id"), table_name="guildkit_appeals")
    op.drop_index("guildkit_appeals_state", table_name="guildkit_appeals")
    op.drop_table("guildkit_appeals")
    op.drop_index(op.f("ix_guildkit_sanctions_member_id"), table_name="guildkit_sanctions")
    op.drop_table("guildkit_sanctions")
    op.drop_table("guildkit_reports")
    op.drop_table("guildkit_moderation_audit")
    op.drop_index(op.f("ix_guildkit_mediations_case_id"), table_name="guildkit_mediations")
    op.drop_index(
        "guildkit_mediations_one_open",
        table_name="guildkit_mediations",
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.drop_table("guildkit_mediations")
    op.drop_table("guildkit_case_notes")
    op.drop_index("guildkit_moderation_cases_status", table_name="guildkit_moderation_cases")
    op.drop_index(
        "guildkit_moderation_cases_one_open",
        table_name="guildkit_moderation_cases",
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_table("guildkit_moderation_cases")


def _create_analytics() -> None:
    op.create_table(
        "guildkit_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('csat', 'nps')", name=op.f("ck_guildkit_surveys_kind")),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_guildkit_surveys_period")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["guildkit_members.id"], name=op.f("fk_guildkit_surveys_created_by_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_surveys")),
        sa.UniqueConstraint("id", "kind", name="uq_guildkit_surveys_id_kind"),
    )
    op.create_index("ix_guildkit_surveys_period", "guildkit_surveys", ["opens_at", "closes_at"], unique=False)
    op.create_table(
        "guildkit_survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'nps' AND score BETWEEN 0 AND 10)",
            name=op.f("ck_guildkit_survey_responses_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_survey_responses_member_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id", "kind"],
            ["guildkit_surveys.id", "guildkit_surveys.kind"],
            name="fk_guildkit_survey_responses_survey",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_survey_responses")),
        sa.UniqueConstraint("survey_id", "member_id", name="uq_guildkit_survey_responses_once"),
    )


def _drop_analytics() -> None:
    op.drop_table("guildkit_survey_responses")
    op.drop_index("ix_guildkit_surveys_period", table_name="guildkit_surveys")
    op.drop_table("guildkit_surveys")


def _create_admin() -> None:
    create_admin_audit()
    op.create_table(
        "guildkit_console_badges",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("criterion", sa.String(length=16), nullable=False),
        sa.Column("activity_type", sa.String(length=100), nullable=True),
        sa.Column("subject_role", sa.String(length=8), nullable=False),
        sa.Column("point_type", sa.String(length=100), nullable=True),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("image_data", sa.LargeBinary(), nullable=True),
        sa.Column("image_type", sa.String(length=32), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "criterion IN ('count', 'points', 'each', 'manual')", name=op.f("ck_guildkit_console_badges_criterion")
        ),
        sa.CheckConstraint("subject_role IN ('actor', 'target')", name=op.f("ck_guildkit_console_badges_subject_role")),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_console_badges")),
    )
    op.create_table(
        "guildkit_console_roles",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=191), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_guildkit_console_roles")),
    )
    op.create_table(
        "guildkit_definitions_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_definitions_version")),
    )


def _drop_admin() -> None:
    op.drop_table("guildkit_definitions_version")
    op.drop_table("guildkit_console_roles")
    op.drop_table("guildkit_console_badges")
    op.drop_index("ix_guildkit_admin_audit_at", table_name="guildkit_admin_audit")
    op.drop_index("ix_guildkit_admin_audit_actor", table_name="guildkit_admin_audit")
    op.drop_index("ix_guildkit_admin_audit_action", table_name="guildkit_admin_audit")
    op.drop_table("guildkit_admin_audit")


def create_admin_audit() -> None:
    """0.1's admin audit table (made by admin_0001, put back by admin_0002's downgrade)."""
    op.create_table(
        "guildkit_admin_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=191), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=191), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_admin_audit")),
    )
    op.create_index("ix_guildkit_admin_audit_action", "guildkit_admin_audit", ["action", "id"], unique=False)
    op.create_index("ix_guildkit_admin_audit_actor", "guildkit_admin_audit", ["actor", "id"], unique=False)
    op.create_index("ix_guildkit_admin_audit_at", "guildkit_admin_audit", ["at"], unique=False)


def create_moderation_audit() -> None:
    """0.1's moderation audit table (made by moderation_0001, put back by moderation_0002's downgrade)."""
    op.create_table(
        "guildkit_moderation_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_moderation_audit_actor_id_guildkit_members")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["guildkit_moderation_cases.id"],
            name=op.f("fk_guildkit_moderation_audit_case_id_guildkit_moderation_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_moderation_audit_target_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_moderation_audit")),
    )


_STEPS: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
    "core": (_create_core, _drop_core),
    "trust": (_create_trust, _drop_trust),
    "guidelines": (_create_guidelines, _drop_guidelines),
    "mentorship": (_create_mentorship, _drop_mentorship),
    "events": (_create_events, _drop_events),
    "moderation": (_create_moderation, _drop_moderation),
    "analytics": (_create_analytics, _drop_analytics),
    "admin": (_create_admin, _drop_admin),
}


def steps(branch: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """``(upgrade, downgrade)`` of ``branch``'s baseline revision."""
    return _STEPS[branch]
