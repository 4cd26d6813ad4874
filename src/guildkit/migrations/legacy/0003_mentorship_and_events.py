"""Mentorship (profiles, mentorships, check-ins, feedback) and events (organizers, RSVPs, attendance).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:07:25.482207
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guildkit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
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
    with op.batch_alter_table("guildkit_events", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_events_starts_at", ["starts_at", "id"], unique=False)

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
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
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
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("mentor_confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("mentee_confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("retained_at", sa.DateTime(), nullable=True),
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
    with op.batch_alter_table("guildkit_mentorships", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_mentorships_mentee", ["mentee_id", "state"], unique=False)
        batch_op.create_index("ix_guildkit_mentorships_mentor", ["mentor_id", "state"], unique=False)
        batch_op.create_index("ix_guildkit_mentorships_state", ["state", "requested_at"], unique=False)
        batch_op.create_index(
            "uq_guildkit_mentorships_open_pair",
            ["mentor_id", "mentee_id"],
            unique=True,
            sqlite_where=sa.text("state IN ('requested', 'accepted', 'active')"),
            postgresql_where=sa.text("state IN ('requested', 'accepted', 'active')"),
        )

    op.create_table(
        "guildkit_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(), nullable=False),
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
    with op.batch_alter_table("guildkit_attendances", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_attendances_member", ["member_id"], unique=False)

    op.create_table(
        "guildkit_event_organizers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["guildkit_events.id"], name=op.f("fk_guildkit_event_organizers_event_id_guildkit_events")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["guildkit_members.id"], name=op.f("fk_guildkit_event_organizers_member_id_guildkit_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guildkit_event_organizers")),
        sa.UniqueConstraint("event_id", "member_id", name=op.f("uq_guildkit_event_organizers_event_id_member_id")),
    )
    with op.batch_alter_table("guildkit_event_organizers", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_event_organizers_member", ["member_id"], unique=False)

    op.create_table(
        "guildkit_mentorship_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
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
    with op.batch_alter_table("guildkit_mentorship_checkins", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_mentorship_checkins_mentorship", ["mentorship_id", "id"], unique=False)

    op.create_table(
        "guildkit_mentorship_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("from_member_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
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
    op.create_table(
        "guildkit_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waitlist_position", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
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
    with op.batch_alter_table("guildkit_rsvps", schema=None) as batch_op:
        batch_op.create_index("ix_guildkit_rsvps_event_status", ["event_id", "status"], unique=False)
        batch_op.create_index("ix_guildkit_rsvps_member", ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guildkit_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_rsvps_member")
        batch_op.drop_index("ix_guildkit_rsvps_event_status")

    op.drop_table("guildkit_rsvps")
    op.drop_table("guildkit_mentorship_feedback")
    with op.batch_alter_table("guildkit_mentorship_checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_mentorship_checkins_mentorship")

    op.drop_table("guildkit_mentorship_checkins")
    with op.batch_alter_table("guildkit_event_organizers", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_event_organizers_member")

    op.drop_table("guildkit_event_organizers")
    with op.batch_alter_table("guildkit_attendances", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_attendances_member")

    op.drop_table("guildkit_attendances")
    with op.batch_alter_table("guildkit_mentorships", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_guildkit_mentorships_open_pair",
            sqlite_where=sa.text("state IN ('requested', 'accepted', 'active')"),
            postgresql_where=sa.text("state IN ('requested', 'accepted', 'active')"),
        )
        batch_op.drop_index("ix_guildkit_mentorships_state")
        batch_op.drop_index("ix_guildkit_mentorships_mentor")
        batch_op.drop_index("ix_guildkit_mentorships_mentee")

    op.drop_table("guildkit_mentorships")
    op.drop_table("guildkit_mentor_profiles")
    with op.batch_alter_table("guildkit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_guildkit_events_starts_at")

    op.drop_table("guildkit_events")
