"""The events tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "events_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_index("ix_guildkit_rsvps_member", table_name="guildkit_rsvps")
    op.drop_index("ix_guildkit_rsvps_event_status", table_name="guildkit_rsvps")
    op.drop_table("guildkit_rsvps")
    op.drop_index("ix_guildkit_event_organizers_member", table_name="guildkit_event_organizers")
    op.drop_table("guildkit_event_organizers")
    op.drop_index("ix_guildkit_attendances_member", table_name="guildkit_attendances")
    op.drop_table("guildkit_attendances")
    op.drop_index("ix_guildkit_events_starts_at", table_name="guildkit_events")
    op.drop_table("guildkit_events")
