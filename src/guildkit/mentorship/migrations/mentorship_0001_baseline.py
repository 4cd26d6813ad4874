"""The mentorship tables as guildkit 0.1 left them: the baseline its databases are adopted at (guildkit.migrate)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from guildkit.models.base import UTCDateTime

revision: str = "mentorship_0001"
down_revision: str | Sequence[str] | None = None


def upgrade() -> None:
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


def downgrade() -> None:
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
